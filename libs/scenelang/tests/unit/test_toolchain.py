"""The TeX toolchain's identity in a clip's cache key: read from the tools, changed by any font file they find."""

from __future__ import annotations

from pathlib import Path

import pytest

from mathreel_scenelang.render import toolchain


@pytest.fixture
def fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``kpsewhich`` on PATH that finds the map and two font files in ``tmp_path``, and nothing else."""
    texmf = tmp_path / "texmf"
    texmf.mkdir()
    for name in ("ps2pk.map", "cmmi10.pfb", "cmsy10.pfb"):
        (texmf / name).write_bytes(name.encode())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    kpsewhich = bin_dir / "kpsewhich"
    kpsewhich.write_text(
        f'#!/bin/sh\nfor name in "$@"; do [ -f "{texmf}/$name" ] && echo "{texmf}/$name"; done\nexit 0\n'
    )
    kpsewhich.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return texmf


def test_the_fonts_fingerprint_follows_every_font_file_found(fonts: Path) -> None:
    before = toolchain.fonts_fingerprint()
    assert len(before) == 64
    assert toolchain.fonts_fingerprint() == before
    (fonts / "cmsy10.pfb").write_bytes(b"an upgraded font")
    changed = toolchain.fonts_fingerprint()
    assert changed != before
    (fonts / "ps2pk.map").write_text("a map updmap rewrote")
    assert toolchain.fonts_fingerprint() != changed
    (fonts / "cmmi10.pfb").unlink()
    assert toolchain.fonts_fingerprint() not in {before, changed}


def test_missing_tools_are_named_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert toolchain.tex_engine_version() == "latex absent"
    assert toolchain.dvisvgm_version() == "dvisvgm absent"
    assert toolchain.fonts_fingerprint() == "kpsewhich absent"
