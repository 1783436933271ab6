"""Safe slugs: whatever a name holds, the slug names one plain file inside its folder."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dmaf_analysis._util.slug import MAX_SLUG_LENGTH, is_safe_slug, slugify, unique_slugs
from dmaf_analysis.cities import load_cities

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


@pytest.mark.parametrize("name, expected", [
    ("Ludhiana", "ludhiana"),
    ("Pimpri-Chinchwad", "pimpri-chinchwad"),
    ("Port Blair", "port-blair"),
    ("  Greater   Warangal ", "greater-warangal"),
    ("Thiruvananthapuram", "thiruvananthapuram"),
    ("São Tomé", "sao-tome"),                      # accents reduced to the base letter
    ("../../etc/passwd", "etc-passwd"),            # no path traversal
    ("..\\..\\windows\\system32", "windows-system32"),
    ("a/b", "a-b"),
    ("nul\x00byte", "nul-byte"),
    ("ｅｔｃ／ｐａｓｓｗｄ", "etc-passwd"),          # full-width letters and slash (NFKD)
    ("evil\u202etxt.exe", "eviltxt-exe"),          # right-to-left override dropped
    ("Ａ\u0301", "a"),                              # combining mark dropped
])
def test_slugify_known_cases(name, expected):
    assert slugify(name) == expected


UNUSABLE = ["", "   ", "..", "../", "/", "\x00", "\u202e", "日本", "----", "🙂"]


@pytest.mark.parametrize("name", UNUSABLE)
def test_slugify_never_empty(name):
    slug = slugify(name)
    assert SLUG_RE.match(slug) and slug.startswith("item-")
    assert slugify(name) == slug  # deterministic


def test_slugify_keeps_distinct_unusable_names_apart():
    # the hash suffix keeps different names without usable characters apart
    assert len({slugify(n) for n in UNUSABLE}) == len(UNUSABLE)


def test_slugify_reserved_device_names_get_a_suffix():
    for name in ("CON", "nul", "Com1", "lpt9"):
        slug = slugify(name)
        assert slug != name.lower() and slug.startswith(name.lower() + "-")


def test_slugify_bounds_length_and_keeps_long_names_apart():
    a, b = "x" * 200 + "a", "x" * 200 + "b"
    assert len(slugify(a)) == MAX_SLUG_LENGTH and len(slugify(b)) == MAX_SLUG_LENGTH
    assert slugify(a) != slugify(b)
    assert len(slugify("y" * 50, max_length=20)) <= 20
    with pytest.raises(ValueError, match="max_length must be at least 16"):
        slugify("x", max_length=5)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_slugify_property_safe_for_any_text(text):
    slug = slugify(text)
    assert is_safe_slug(slug)
    assert SLUG_RE.match(slug) and 0 < len(slug) <= MAX_SLUG_LENGTH
    base = Path("/srv/outputs/cities")
    joined = Path(os.path.normpath(base / slug))
    assert joined.parent == base  # one plain name directly inside the folder


def test_is_safe_slug_rejects_unsafe_strings():
    for bad in ("", "-a", "a-", "A", "a/b", "..", "a_b", "a" * 65, "a\x00"):
        assert not is_safe_slug(bad)
    assert is_safe_slug("pimpri-chinchwad")


def test_unique_slugs_resolves_clashes_deterministically():
    names = ["A B", "a-b", "A&B", "Surat"]
    first = unique_slugs(names)
    again = unique_slugs(reversed(names))
    assert first == again
    assert sorted(first.values()) == ["a-b", "a-b-2", "a-b-3", "surat"]
    assert len(set(first.values())) == len(names)


def test_all_smart_cities_have_distinct_plain_slugs():
    cities = load_cities()["city"]
    slugs = unique_slugs(cities)
    assert len(set(slugs.values())) == len(cities) == 100
    # no clash needed a numeric suffix: each slug is the city's own
    assert all(slugs[c] == slugify(c) for c in cities)
    assert slugs["Pimpri-Chinchwad"] == "pimpri-chinchwad"
