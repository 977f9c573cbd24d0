"""Reading documents (Markdown, plain text, PDF) and cutting them into chunks for the index.

Chunks follow the document's own structure: a Markdown heading starts a new section, a section is cut at
paragraphs into chunks of about 500-800 characters, and each chunk after the first of a section repeats the last
sentence of the one before it, so a fact that straddles a cut is still found whole in one of them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from mathreel_script.text import clean_text

TARGET_CHARS = 500
MAX_CHARS = 800
OVERLAP_CHARS = 160
SUPPORTED_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".pdf"})

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_SLUG = re.compile(r"[^a-z0-9]+")
# Markdown noise that means nothing to a reader or a search index.
_MARKUP = re.compile(r"(\*\*|__|`)")


@dataclass(frozen=True)
class DocumentText:
    """A document ready to index: its slug (the name in ``kb://`` URIs), title and text."""

    slug: str
    title: str
    text: str
    source_name: str

    @property
    def content_hash(self) -> str:
        """SHA-256 of the title and text: the same document added twice is one document."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()


@dataclass(frozen=True)
class Chunk:
    index: int
    heading: str
    text: str


def slugify(name: str) -> str:
    """``Law of Cosines.md`` → ``law-of-cosines``."""
    return _SLUG.sub("-", name.lower()).strip("-")[:120] or "document"


def read_document(path: Path) -> DocumentText:
    """Read a Markdown, text or PDF file; raise ``ValueError`` for any other kind or an empty one."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(f"{path.name}: only {', '.join(sorted(SUPPORTED_SUFFIXES))} files can be added")
    title: str | None = None
    if suffix == ".pdf":
        reader = PdfReader(path)
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        metadata_title = reader.metadata.title if reader.metadata else None
        title = str(metadata_title).strip() if metadata_title else None
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise ValueError(f"{path.name}: no text found")
    if suffix in {".md", ".markdown"}:
        first = next((m for line in text.splitlines() if (m := _HEADING.match(line))), None)
        title = first.group(2) if first and len(first.group(1)) == 1 else title
    title = clean_text(title or path.stem.replace("_", " ").replace("-", " ").title(), limit=200)
    return DocumentText(slug=slugify(path.stem), title=title, text=text, source_name=path.name)


def chunk_document(document: DocumentText) -> list[Chunk]:
    """The document's chunks, in reading order; see the module docstring for how it is cut."""
    chunks: list[Chunk] = []
    for heading, paragraphs in _sections(document):
        for text in _pack(paragraphs):
            chunks.append(Chunk(index=len(chunks), heading=heading, text=text))
    return chunks


def _sections(document: DocumentText) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [(document.title, [])]
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            text = clean_text(_MARKUP.sub("", " ".join(paragraph)))
            if text:
                sections[-1][1].append(text)
            paragraph.clear()

    for line in document.text.split("\n"):
        heading = _HEADING.match(line)
        if heading:
            flush()
            name = clean_text(heading.group(2), limit=200)
            if len(heading.group(1)) == 1 and name == document.title:
                continue
            sections.append((f"{document.title} — {name}", []))
        elif line.strip():
            paragraph.append(line.strip())
        else:
            flush()
    flush()
    return [(heading, paragraphs) for heading, paragraphs in sections if paragraphs]


def _split_long(paragraph: str) -> list[str]:
    """A paragraph longer than a chunk, cut at sentence ends (or hard, for a sentence longer than a chunk)."""
    pieces: list[str] = []
    for sentence in _SENTENCE.split(paragraph):
        while len(sentence) > MAX_CHARS:
            cut = sentence.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > MAX_CHARS // 2 else MAX_CHARS
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def _pack(paragraphs: list[str]) -> list[str]:
    units: list[str] = []
    for paragraph in paragraphs:
        units.extend(_split_long(paragraph) if len(paragraph) > MAX_CHARS else [paragraph])
    chunks: list[str] = []
    current = ""
    for unit in units:
        if (current and len(current) >= TARGET_CHARS) or (current and len(current) + len(unit) + 1 > MAX_CHARS):
            chunks.append(current)
            current = _overlap(current)
        current = f"{current} {unit}".strip() if current else unit
    if current and (not chunks or current != _overlap(chunks[-1])):
        chunks.append(current)
    return chunks


def _overlap(chunk: str) -> str:
    """The tail of ``chunk`` carried into the next one: its last sentence, if that is short enough."""
    last = _SENTENCE.split(chunk)[-1]
    return last if len(last) <= OVERLAP_CHARS and last != chunk else ""
