"""The explorer's chart library is made once and kept in the cache folder; a bad cache never breaks a page."""
import stat

import pytest

from dmaf_analysis.explore._page import _vega_bundle as vega_bundle


@pytest.fixture
def fake_bundle(monkeypatch, tmp_path):
    import vl_convert

    calls = []

    def bundle(vl_version=None):
        calls.append(vl_version)
        return "/* vega */ function vegaEmbed(){} </script> <!-- x"

    monkeypatch.setattr(vl_convert, "javascript_bundle", bundle)
    monkeypatch.setenv("DMAF_CACHE_DIR", str(tmp_path / "cache"))
    vega_bundle.cache_clear()
    yield calls, tmp_path / "cache"
    vega_bundle.cache_clear()


def test_the_bundle_is_made_once_then_read_from_the_cache(fake_bundle):
    calls, folder = fake_bundle
    first = vega_bundle()
    assert len(calls) == 1 and [p.suffix for p in folder.iterdir()] == [".js"]
    vega_bundle.cache_clear()
    assert vega_bundle() == first and len(calls) == 1
    assert "</script" not in first and "<!--" not in first  # escaped for the page either way


def test_a_damaged_cache_file_is_made_again(fake_bundle):
    calls, folder = fake_bundle
    vega_bundle()
    (cached,) = folder.iterdir()
    cached.write_text("alert('not a bundle')", encoding="utf-8")
    vega_bundle.cache_clear()
    assert "vegaEmbed" in vega_bundle() and len(calls) == 2
    assert "vegaEmbed" in cached.read_text(encoding="utf-8")


def test_an_unwritable_cache_folder_still_gives_the_bundle(fake_bundle, tmp_path, monkeypatch):
    calls, _ = fake_bundle
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    try:
        for folder in (locked / "sub", blocker / "sub"):  # not creatable (as root: below a file)
            monkeypatch.setenv("DMAF_CACHE_DIR", str(folder))
            vega_bundle.cache_clear()
            assert "vegaEmbed" in vega_bundle()
    finally:
        locked.chmod(stat.S_IRWXU)
    assert len(calls) == 2
