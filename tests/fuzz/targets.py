"""What the fuzzers call, one function per target, run in a child process within the case's time budget.

Each returns nothing and raises on a broken property: a result the caller could not use, or an exception other
than the one the target documents for refused input. Module-level functions, so they can be pickled to the child.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from mathreel_scenelang.expressions import ExpressionError, compile_expression
from mathreel_scenelang.latex import UnsafeLatexError, check_latex
from mathreel_scenelang.mathspeech import latex_to_speech, narration_to_speech
from mathreel_scenelang.storyboard import PlotFunction, ShowBullets, ShowText, ShowTitle, Storyboard
from mathreel_script.context import MAX_FORMULAS, parse_context
from mathreel_script.latex import MAX_FORMULA_CHARS, parse_plain, plain_to_latex, safe_latex
from mathreel_script.planner import TopicNotSupported, plan_storyboard
from mathreel_shared.messages import JobConfiguration
from mathreel_visuals.validation import latex_sources


def context_parser(text: str) -> None:
    facts = parse_context(text)
    assert len(facts.formulas) <= MAX_FORMULAS
    for formula in facts.formulas:
        assert safe_latex(formula) == formula, formula
    for sentence in facts.sentences:
        assert "this formula" not in sentence.lower() or "this formula" in text.lower(), sentence


# LaTeX a person would see or hear verbatim: a command, or a math delimiter.
_RAW_LATEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\$\$")


def _check_refusal(refused: TopicNotSupported) -> None:
    assert refused.code == "topic_not_supported"
    assert not refused.retryable
    assert not _RAW_LATEX.search(refused.message), refused.message


def planner(topic: str, context: str) -> None:
    try:
        storyboard = plan_storyboard(JobConfiguration(topic=topic, context=context))
    except TopicNotSupported as refused:
        # A refusal is an answer, not a crash: it must be a clean, permanent stage error.
        _check_refusal(refused)
        return
    Storyboard.model_validate(storyboard.model_dump())  # what the worker stores must read back
    assert storyboard.scenes
    shown = [storyboard.title, *(scene.narration for scene in storyboard.scenes)]
    for scene in storyboard.scenes:
        for beat in scene.beats:
            for action in beat.actions:
                if isinstance(action, ShowText | ShowTitle):
                    shown.append(action.text)
                elif isinstance(action, ShowBullets):
                    shown.extend(action.items)
    for text in shown:
        assert not _RAW_LATEX.search(text), f"raw LaTeX reaches the video: {text!r}"
        assert "this formula and this formula" not in text, text


def script_latex(text: str) -> None:
    accepted = safe_latex(text)
    if accepted is not None:
        assert len(accepted) <= MAX_FORMULA_CHARS
        assert safe_latex(accepted) == accepted
    plain = plain_to_latex(text)
    if plain is not None:
        assert safe_latex(plain) == plain
    parse_plain(text)


def visuals_latex(text: str) -> None:
    try:
        checked = check_latex(text)
    except UnsafeLatexError:
        return
    assert check_latex(checked) == checked


def math_speech(text: str) -> None:
    assert isinstance(latex_to_speech(text), str)
    assert isinstance(narration_to_speech(text), str)


def storyboard_validation(data: Any) -> None:
    try:
        storyboard = Storyboard.model_validate(data)
    except ValidationError:
        return
    for scene in storyboard.scenes:
        for source in latex_sources(scene):
            try:
                check_latex(source)
            except UnsafeLatexError:
                pass
        for beat in scene.beats:
            for action in beat.actions:
                if isinstance(action, PlotFunction):
                    try:
                        compile_expression(action.expression)(0.5)
                    except ExpressionError:
                        pass
