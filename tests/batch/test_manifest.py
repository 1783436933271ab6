"""The manifest judges PDFs by digests, as it judges pages."""
from __future__ import annotations

from types import SimpleNamespace

from dmaf_analysis.batch import _manifest as manifest_module


def _job(tmp_path):
    html = tmp_path / "cycle-2.html"
    html.write_text("<p>page</p>", encoding="utf-8")
    html.with_suffix(".pdf").write_bytes(b"%PDF-1.7 printed\n%%EOF\n")
    return SimpleNamespace(key="city/x/2", html_path=html)


def test_a_pdf_is_current_only_while_it_and_its_page_keep_their_digests(tmp_path):
    job = _job(tmp_path)
    manifest = manifest_module.Manifest(tmp_path / "manifest.json")
    assert not manifest.pdf_is_current(job)  # nothing recorded: print it
    manifest.entries[job.key] = {"digest": "0" * 64, "status": "ok"}
    manifest.record_pdf(job)
    assert manifest.pdf_is_current(job)
    pdf = job.html_path.with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-1.7 printed\n")  # cut short: same time, another digest
    assert not manifest.pdf_is_current(job)
    pdf.write_bytes(b"%PDF-1.7 printed\n%%EOF\n")
    assert manifest.pdf_is_current(job)
    job.html_path.write_text("<p>page, changed</p>", encoding="utf-8")  # the page changed: print again
    assert not manifest.pdf_is_current(job)
