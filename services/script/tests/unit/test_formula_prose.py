"""Finding 9: formulas in the context's prose are said in words or left out, never "this formula", never raw LaTeX
on screen."""

from __future__ import annotations

import re

from mathreel_scenelang.storyboard import ShowBullets, ShowText, ShowTitle, Storyboard
from mathreel_script.context import parse_context
from mathreel_script.planner import plan_storyboard
from mathreel_shared.messages import JobConfiguration

RAW_LATEX = re.compile(r"\\[A-Za-z]+|\$\$|\$(?=[^\s\d])|\\[()\[\]]")


def on_screen_text(storyboard: Storyboard) -> list[str]:
    texts: list[str] = []
    for scene in storyboard.scenes:
        for beat in scene.beats:
            for action in beat.actions:
                if isinstance(action, ShowText | ShowTitle):
                    texts.append(action.text)
                elif isinstance(action, ShowBullets):
                    texts.extend(action.items)
    return texts


def narration(storyboard: Storyboard) -> str:
    return " ".join(scene.narration for scene in storyboard.scenes)


def plan(context: str) -> Storyboard:
    return plan_storyboard(JobConfiguration(topic="Hostile formulas", context=context))


def test_refused_formulas_are_left_out_of_the_narration_not_called_this_formula() -> None:
    storyboard = plan(
        "Use $\\input{/etc/passwd}$ and $\\write18{rm -rf /}$ here. Energy is conserved in a closed system."
    )
    said = narration(storyboard)
    assert "this formula" not in said
    assert "input" not in said
    assert "write18" not in said
    assert "Energy is conserved in a closed system." in said


def test_accepted_formulas_are_said_in_words() -> None:
    facts = parse_context("The area of a circle is $\\pi r^2$, and $a^2 + b^2 = c^2$ holds for right triangles.")
    assert facts.sentences == (
        "The area of a circle is pi r squared, and a squared plus b squared equals c squared holds for right "
        "triangles.",
    )


def test_over_long_formulas_never_reach_the_screen_as_raw_text() -> None:
    long_latex = "$" + " + ".join(f"\\frac{{x_{i}}}{{y_{i}}}" for i in range(60)) + "$"
    storyboard = plan(f"The sum {long_latex} grows. It grows without bound. Also \\(\\sqrt{{x}}\\) and \\[x^2\\].")
    for text in [*on_screen_text(storyboard), narration(storyboard)]:
        assert not RAW_LATEX.search(text), text
    assert "It grows without bound." in narration(storyboard)


def test_prices_between_dollar_signs_stay_as_written() -> None:
    facts = parse_context("A book costs $5 and a pen $2. Together they cost 7 dollars.")
    assert facts.sentences[0] == "A book costs $5 and a pen $2."
    assert facts.formulas == ()


def test_the_topic_becomes_a_title_without_latex() -> None:
    storyboard = plan_storyboard(
        JobConfiguration(topic="Series $x^2$ and \\(y\\) \\input{/etc/passwd} $\\write18{ls}$", context="")
    )
    assert storyboard.title == "Series x squared and y"
    for text in [*on_screen_text(storyboard), narration(storyboard)]:
        assert not RAW_LATEX.search(text), text
