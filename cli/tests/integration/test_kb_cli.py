"""``mathreel kb add/list/remove`` against real PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathreel_cli.main import app
from tests.support.aio import run_async


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows ``text`` in Helvetica (enough for a text extractor)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture
def kb_env(pg_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from mathreel_orchestrator.migrate import upgrade

    run_async(upgrade(pg_database_url))
    monkeypatch.setenv("MATHREEL_DATABASE_URL", pg_database_url)
    monkeypatch.delenv("MATHREEL_LLM_BASE_URL", raising=False)
    return pg_database_url


def test_kb_add_list_remove(kb_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "catalan-numbers.md").write_text("# Catalan numbers\n\nCatalan numbers count balanced parentheses.\n")
    (notes / "ignored.png").write_bytes(b"\x89PNG")
    pdf = tmp_path / "harmonic-series.pdf"
    pdf.write_bytes(minimal_pdf("The harmonic series diverges although its terms shrink to zero."))

    added = runner.invoke(app, ["kb", "add", str(notes), str(pdf)])
    again = runner.invoke(app, ["kb", "add", str(notes / "catalan-numbers.md")])
    listed = runner.invoke(app, ["kb", "list"])

    assert added.exit_code == 0, added.output
    assert "added" in added.output
    assert "catalan-numbers" in added.output
    assert "harmonic-series" in added.output
    assert "ignored" not in added.output
    assert again.exit_code == 0
    assert "unchanged" in again.output
    assert "Catalan numbers" in listed.output
    assert "harmonic-series" in listed.output

    removed = runner.invoke(app, ["kb", "remove", "harmonic-series"])
    gone = runner.invoke(app, ["kb", "remove", "harmonic-series"])
    after = runner.invoke(app, ["kb", "list"])

    assert removed.exit_code == 0
    assert "removed" in removed.output
    assert gone.exit_code == 1
    assert not re.search(r"(?m)^\s*\d+\s+harmonic-series\s", after.output)  # a curriculum document may share the name


def test_kb_add_refuses_unsupported_files_and_loads_the_starter_notes(kb_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "slides.pptx"
    bad.write_bytes(b"PK")

    refused = runner.invoke(app, ["kb", "add", str(bad)])
    starter = runner.invoke(app, ["kb", "add", "--starter"])
    listed = runner.invoke(app, ["kb", "list"])

    assert refused.exit_code == 1
    assert starter.exit_code == 0
    assert "chain-rule" in starter.output
    assert "starter" in listed.output
    assert "pythagorean-theorem" in listed.output
