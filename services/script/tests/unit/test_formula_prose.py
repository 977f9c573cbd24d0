"""Finding 9: formulas in the context's prose are said in words or left out, never "this formula", never raw LaTeX
on screen."""

from __future__ import annotations

import re

import pytest

from mathreel_scenelang.storyboard import ShowBullets, ShowText, ShowTitle, Storyboard
from mathreel_script.context import parse_context
from mathreel_script.planner import TopicNotSupported, plan_storyboard
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


def plan(context: str, topic: str = "Hostile formulas") -> Storyboard:
    return plan_storyboard(JobConfiguration(topic=topic, context=context))


def refusal(context: str, topic: str = "Hostile formulas") -> str:
    """The message of the refusal a context without teachable mathematics gets."""
    with pytest.raises(TopicNotSupported) as refused:
        plan(context, topic)
    return refused.value.message


def test_refused_formulas_are_left_out_of_the_narration_not_called_this_formula() -> None:
    context = "Use $\\input{/etc/passwd}$ and $\\write18{rm -rf /}$ here. Energy is conserved in a closed system."
    facts = parse_context(context)
    said = " ".join(facts.sentences)
    assert "this formula" not in said
    assert "input" not in said
    assert "write18" not in said
    assert "Energy is conserved in a closed system." in said
    # Nothing to teach from it: the job is refused, and the refusal repeats none of it.
    message = refusal(context)
    assert not RAW_LATEX.search(message)
    # With a lesson to teach, the refused formulas are nowhere in it.
    lesson = plan(context, "Pythagorean theorem")
    for text in [*on_screen_text(lesson), narration(lesson)]:
        assert "this formula" not in text
        assert not RAW_LATEX.search(text), text


def test_accepted_formulas_are_said_in_words() -> None:
    facts = parse_context("The area of a circle is $\\pi r^2$, and $a^2 + b^2 = c^2$ holds for right triangles.")
    assert facts.sentences == (
        "The area of a circle is pi r squared, and a squared plus b squared equals c squared holds for right "
        "triangles.",
    )


def test_over_long_formulas_never_reach_the_screen_as_raw_text() -> None:
    long_latex = "$" + " + ".join(f"\\frac{{x_{i}}}{{y_{i}}}" for i in range(60)) + "$"
    context = f"The sum {long_latex} grows. It grows without bound. Also \\(\\sqrt{{x}}\\) and \\[x^2\\]."
    facts = parse_context(context)
    assert "It grows without bound." in facts.sentences
    for text in facts.sentences:
        assert not RAW_LATEX.search(text), text
    lesson = plan(context, "Infinite series")
    for text in [*on_screen_text(lesson), narration(lesson)]:
        assert not RAW_LATEX.search(text), text


def test_prices_between_dollar_signs_stay_as_written() -> None:
    facts = parse_context("A book costs $5 and a pen $2. Together they cost 7 dollars.")
    assert facts.sentences[0] == "A book costs $5 and a pen $2."
    assert facts.formulas == ()


def test_the_topic_becomes_a_title_without_latex() -> None:
    message = refusal("", topic="Series $x^2$ and \\(y\\) \\input{/etc/passwd} $\\write18{ls}$")
    assert "'Series x squared and y'" in message
    assert not RAW_LATEX.search(message), message
