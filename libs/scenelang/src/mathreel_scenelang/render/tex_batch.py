"""Many formulas typeset in one LaTeX run: the TeX check of a whole curriculum without a TeX start-up per formula.

A render typesets each formula on its own (Manim runs ``latex`` then ``dvisvgm`` per formula); starting TeX costs
far more than typesetting one formula, so checking thousands of formulas that way takes many minutes.
``compile_formulas`` writes them all into one document, one formula per page, in the same document class, preamble
and ``align*`` environment as renders, runs ``latex`` once and ``dvisvgm`` once over every page, with TeX locked down
as for renders. TeX's errors name the line they stopped at, which names the formula; a formula blamed that way is
typeset again on its own to confirm it and to get its own error, so one broken formula (or TeX's confusion after it)
never blames another.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from mathreel_scenelang.render.config import TEX_PREAMBLE
from mathreel_scenelang.render.tex_process import tex_environment
from mathreel_scenelang.render.toolchain import TEX_COMPILER

TEX_TIMEOUT_SECONDS = 600.0
_ERROR = re.compile(r"^! (.+)$", re.M)
_ERROR_LINE = re.compile(r"^l\.(\d+) ", re.M)


class TexBatchError(RuntimeError):
    """The batch could not run (TeX missing, a timeout, pages missing): says nothing about the formulas."""


def compile_formulas(formulas: Sequence[str], work_dir: Path) -> dict[str, str]:
    """Typeset every formula (already past the LaTeX allowlist) and convert every page to SVG.

    Returns TeX's error for each formula that does not compile; an empty dict when all do.
    """
    distinct = list(dict.fromkeys(formulas))
    work_dir.mkdir(parents=True, exist_ok=True)
    errors: dict[str, str] = {}
    _check(distinct, work_dir, errors, itertools.count())
    return errors


def _check(formulas: list[str], work_dir: Path, errors: dict[str, str], runs: Iterator[int]) -> None:
    """Typeset ``formulas`` together; on errors confirm the blamed ones alone, then check what is left."""
    if not formulas:
        return
    name = f"batch{next(runs)}"
    lines = _write_document(work_dir / f"{name}.tex", formulas)
    log = _latex(work_dir, name)
    if not _ERROR.search(log):
        _to_svg(work_dir, name, len(formulas))
        return
    if len(formulas) == 1:
        errors[formulas[0]] = _first_error(log)
        return
    blamed = {_formula_at(int(line), lines) for line in _ERROR_LINE.findall(log)}
    broken = set()
    for index in sorted(blamed):
        alone = formulas[index]
        single = f"batch{next(runs)}"
        _write_document(work_dir / f"{single}.tex", [alone])
        single_log = _latex(work_dir, single)
        if _ERROR.search(single_log):
            errors[alone] = _first_error(single_log)
            broken.add(index)
    rest = [formula for index, formula in enumerate(formulas) if index not in broken]
    if broken:
        _check(rest, work_dir, errors, runs)
    else:
        # TeX was confused but no formula it blamed is broken on its own: halve the batch until one is found.
        half = len(rest) // 2
        _check(rest[:half], work_dir, errors, runs)
        _check(rest[half:], work_dir, errors, runs)


def _write_document(path: Path, formulas: list[str]) -> list[int]:
    """One page per formula; returns the line each formula's page starts on (1-based)."""
    head = [r"\documentclass[preview,multi=formula]{standalone}", *TEX_PREAMBLE.strip().splitlines()]
    body = [r"\newenvironment{formula}{}{}", r"\begin{document}"]
    lines = [*head, *body]
    starts = []
    for formula in formulas:
        starts.append(len(lines) + 1)
        lines.extend([r"\begin{formula}", r"\begin{align*}", *formula.splitlines(), r"\end{align*}", r"\end{formula}"])
    lines.append(r"\end{document}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return starts


def _formula_at(line: int, starts: list[int]) -> int:
    """The formula whose page holds ``line`` (the last one for a line after them all)."""
    index = 0
    for i, start in enumerate(starts):
        if start <= line:
            index = i
    return index


def _run(args: list[str], work_dir: Path) -> None:
    env = {**tex_environment(), "TEXMFOUTPUT": str(work_dir)}
    try:
        subprocess.run(
            args,
            cwd=work_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TEX_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TexBatchError(f"{args[0]} could not run: {exc}") from exc


def _latex(work_dir: Path, name: str) -> str:
    """Run LaTeX on ``name``.tex without stopping at errors (each is logged with its line); the log."""
    _run([TEX_COMPILER, "-interaction=nonstopmode", "-no-shell-escape", f"{name}.tex"], work_dir)
    try:
        return (work_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise TexBatchError(f"LaTeX wrote no log for {name}.tex") from exc


def _to_svg(work_dir: Path, name: str, pages: int) -> None:
    """Every page of ``name``.dvi to SVG in one ``dvisvgm`` run, glyphs as paths as in renders."""
    _run(["dvisvgm", "--no-fonts", "--verbosity=0", "--page=1-", f"--output={name}-%p.svg", f"{name}.dvi"], work_dir)
    written = [path for path in work_dir.glob(f"{name}-*.svg") if path.stat().st_size > 0]
    if len(written) != pages:
        raise TexBatchError(f"dvisvgm wrote {len(written)} of {pages} pages of {name}.dvi")


def _first_error(log: str) -> str:
    found = _ERROR.search(log)
    return found.group(1).strip() if found else "LaTeX failed without an error line"
