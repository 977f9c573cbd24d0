"""A curriculum entry as a knowledge-base document, so ``use_rag`` retrieves what the curriculum teaches."""

from __future__ import annotations

from mathreel_script.curriculum.model import TopicEntry
from mathreel_script.knowledge.documents import DocumentText


def entry_document(entry: TopicEntry) -> DocumentText:
    """Markdown with the entry's statement, formulas, intuition, common mistake and key points."""
    formulas = "\n".join(f"- ${formula}$" for formula in entry.formulas)
    points = "\n".join(f"- {point}" for point in entry.summary)
    text = (
        f"# {entry.title}\n\n{entry.statement}\n\n"
        + (f"## Formulas\n\n{formulas}\n\n" if formulas else "")
        + f"## How to see it\n\n{entry.intuition}\n\n## A common mistake\n\n{entry.mistake}\n\n"
        f"## Key points\n\n{points}\n"
    )
    slug = "curriculum-" + entry.key.replace("_", "-")
    return DocumentText(slug=slug, title=entry.title, text=text, source_name=f"{slug}.md")
