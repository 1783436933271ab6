"""Slugs for names that come from data: safe file names, and identifiers made from labels.

A slug is made only of the characters ``a-z``, ``0-9`` and ``-``; it never starts
or ends with ``-``, is never empty and is at most :data:`MAX_SLUG_LENGTH`
characters long. So whatever a data file holds (``../``, slashes, NUL bytes,
right-to-left marks, full-width or look-alike letters), the slug can only name a
plain file inside the folder it is joined to.

Letters with accents are reduced to their base letter (``São Tomé`` -> ``sao-tome``);
characters with no ASCII form are dropped. When nothing usable is left, or the name
had to be shortened, a short hash of the original name is appended so that two
different names do not silently share a file.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["MAX_SLUG_LENGTH", "identifier_slug", "is_safe_slug", "slugify", "unique_slugs"]

#: Longest slug :func:`slugify` returns.
MAX_SLUG_LENGTH = 64

_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
_VALID = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Names that Windows refuses as file names whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_HASH_LENGTH = 8


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_LENGTH]


def slugify(name: object, *, max_length: int = MAX_SLUG_LENGTH, fallback: str = "item") -> str:
    """Turn ``name`` into a safe file-name slug.

    Parameters
    ----------
    name : object
        The text to turn into a slug (converted with ``str``).
    max_length : int, default 64
        Longest slug returned; at least 16.
    fallback : str, default "item"
        Stem used when ``name`` has no usable character; a hash of ``name`` is
        appended to it.

    Returns
    -------
    str
        A non-empty string matching ``^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`` of at most
        ``max_length`` characters.

    Examples
    --------
    >>> slugify("Pimpri-Chinchwad")
    'pimpri-chinchwad'
    >>> slugify("../../etc/passwd")
    'etc-passwd'
    """
    if max_length < 16:
        raise ValueError("max_length must be at least 16")
    text = str(name)
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_ALLOWED.sub("-", ascii_text).strip("-")
    if not slug:
        stem = _NOT_ALLOWED.sub("-", str(fallback).lower()).strip("-") or "item"
        return f"{stem[: max_length - _HASH_LENGTH - 1]}-{_digest(text)}"
    if slug in _RESERVED:
        slug = f"{slug}-{_digest(text)}"
    if len(slug) > max_length:
        head = slug[: max_length - _HASH_LENGTH - 1].rstrip("-")
        slug = f"{head}-{_digest(text)}"
    return slug


def identifier_slug(name: object, *, fallback: str = "item") -> str:
    """:func:`slugify` with underscores: a name usable as a column or attribute name.

    ``"Not certified"`` -> ``"not_certified"``; the same folding, length limit and
    hash suffix rules as :func:`slugify` apply.
    """
    return slugify(name, fallback=fallback).replace("-", "_")


def is_safe_slug(slug: str, *, max_length: int = MAX_SLUG_LENGTH) -> bool:
    """True when ``slug`` is a non-empty ``[a-z0-9-]`` slug of at most ``max_length`` characters."""
    return isinstance(slug, str) and 0 < len(slug) <= max_length and bool(_VALID.match(slug))


def unique_slugs(names: Iterable[object], *, max_length: int = MAX_SLUG_LENGTH) -> dict[str, str]:
    """Slugs for several names, made distinct where two names share a slug.

    Names are taken in sorted order, so the result does not depend on the order
    given; the second and later names of a clash get ``-2``, ``-3`` ... appended.

    Returns
    -------
    dict
        ``str(name) -> slug`` for every distinct name.
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted({str(n) for n in names}):
        base = slugify(name, max_length=max_length)
        slug, n = base, 1
        while slug in taken:
            n += 1
            suffix = f"-{n}"
            slug = base[: max_length - len(suffix)].rstrip("-") + suffix
        taken.add(slug)
        out[name] = slug
    return out
