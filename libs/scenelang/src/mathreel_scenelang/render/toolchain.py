"""What a rendered formula depends on outside Python: the TeX engine, dvisvgm and the fonts they find.

A clip's cache key includes ``tex_toolchain()``, so a TeX Live, dvisvgm or font upgrade (a new image) never serves a
clip typeset by the old ones. Each part is read once per process, from the tools themselves: the engine's and
dvisvgm's ``--version`` line, and a SHA-256 of the font map dvisvgm reads and of the font files the template's text
and math fonts resolve to (``kpsewhich``), since font packages change those files without changing either tool.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
from pathlib import Path

# Manim runs this engine on the template of ``config.TEX_PREAMBLE`` (DVI out, then dvisvgm to SVG).
TEX_COMPILER = "latex"
# dvisvgm reads the first of these maps it finds; updmap rewrites them whenever a font package is added or upgraded.
FONT_MAPS = ("ps2pk.map", "pdftex.map", "dvipdfm.map", "psfonts.map")
# The fonts the preamble sets formulas in: T1 text (EC, and its Type 1 outlines when cm-super is installed), the
# math fonts (Computer Modern) and amssymb's (AMS symbols).
FONT_FILES = (
    "ecrm1000.tfm",
    "sfrm1000.pfb",
    "cmr10.pfb",
    "cmmi10.pfb",
    "cmsy10.pfb",
    "cmex10.pfb",
    "msam10.pfb",
    "msbm10.pfb",
)
_TIMEOUT_SECONDS = 30


def _first_line(command: list[str]) -> str:
    binary = shutil.which(command[0])
    if binary is None:
        return f"{command[0]} absent"
    result = subprocess.run([binary, *command[1:]], capture_output=True, check=False, timeout=_TIMEOUT_SECONDS)
    lines = result.stdout.decode(errors="replace").strip().splitlines()
    return lines[0] if lines else f"{command[0]} without a version"


def tex_engine_version() -> str:
    """The first line of the TeX engine's ``--version`` (``pdfTeX 3.141592653-2.6-1.40.24 (TeX Live 2022/...)``)."""
    return _first_line([TEX_COMPILER, "--version"])


def dvisvgm_version() -> str:
    """``dvisvgm --version`` (``dvisvgm 3.0.3``)."""
    return _first_line(["dvisvgm", "--version"])


def fonts_fingerprint() -> str:
    """SHA-256 over the font map dvisvgm reads and the font files formulas are set in, as ``kpsewhich`` finds them
    (name and contents; a file not installed counts as absent)."""
    binary = shutil.which("kpsewhich")
    if binary is None:
        return "kpsewhich absent"
    result = subprocess.run(
        [binary, *FONT_MAPS, *FONT_FILES], capture_output=True, check=False, timeout=_TIMEOUT_SECONDS
    )
    # kpsewhich prints the path of each name it finds, in order, and nothing for the others.
    found = {Path(line).name: Path(line) for line in result.stdout.decode(errors="replace").splitlines() if line}
    font_map = [name for name in FONT_MAPS if name in found][:1]
    digest = hashlib.sha256()
    for name in [*font_map, *FONT_FILES]:
        path = found.get(name)
        digest.update(f"{name}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path is not None else b"absent")
    return digest.hexdigest()


@functools.cache
def tex_toolchain() -> str:
    """The engine's, dvisvgm's and the fonts' identities in one line; computed once per process."""
    return f"{tex_engine_version()}; {dvisvgm_version()}; fonts {fonts_fingerprint()}"
