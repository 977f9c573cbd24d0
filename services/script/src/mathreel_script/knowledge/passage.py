"""A retrieved piece of the knowledge base, as the writers and the storyboard's sources see it."""

from __future__ import annotations

from dataclasses import dataclass

from mathreel_scenelang.storyboard import Source


@dataclass(frozen=True)
class Passage:
    """One chunk of one document, with how well it matched the query."""

    document_slug: str
    document_title: str
    chunk_index: int
    heading: str
    text: str
    score: float = 0.0

    @property
    def uri(self) -> str:
        """``kb://<doc-slug>#<chunk>``: stable while the document is unchanged."""
        return f"kb://{self.document_slug}#{self.chunk_index}"

    def source(self) -> Source:
        # Section headings already start with the document's title ("Logarithms — Laws of logarithms").
        return Source(title=(self.heading or self.document_title)[:200], uri=self.uri)


def sources_of(passages: list[Passage] | tuple[Passage, ...]) -> list[Source]:
    """One source per distinct passage, in rank order, at most 20 (the storyboard's limit)."""
    seen: set[str] = set()
    found: list[Source] = []
    for passage in passages:
        if passage.uri not in seen:
            seen.add(passage.uri)
            found.append(passage.source())
    return found[:20]
