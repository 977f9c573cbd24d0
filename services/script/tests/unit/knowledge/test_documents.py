from pathlib import Path

import pytest

from mathreel_script.knowledge.documents import (
    MAX_CHARS,
    OVERLAP_CHARS,
    DocumentText,
    chunk_document,
    read_document,
    slugify,
)
from mathreel_script.knowledge.passage import Passage, sources_of
from mathreel_script.knowledge.store import query_words, starter_corpus_paths
from mathreel_script.lessons import TOPICS


def test_slugs() -> None:
    assert slugify("Law of Cosines") == "law-of-cosines"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("!!!") == "document"


def test_markdown_is_cut_at_headings_and_paragraphs_with_overlap() -> None:
    paragraph = " ".join(f"Sentence number {i} says something true about triangles." for i in range(12))
    text = f"# Triangles\n\nShort intro.\n\n## Angles\n\n{paragraph}\n\n{paragraph}\n\n## Sides\n\nThe longest side.\n"
    chunks = chunk_document(DocumentText("triangles", "Triangles", text, "t.md"))

    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert chunks[0].heading == "Triangles"
    assert chunks[0].text == "Short intro."
    assert chunks[-1].heading == "Triangles — Sides"
    angles = [c for c in chunks if c.heading == "Triangles — Angles"]
    assert len(angles) >= 2
    assert all(len(c.text) <= MAX_CHARS + OVERLAP_CHARS + 1 for c in chunks)
    # Each later chunk of a section starts with the sentence the previous one ended on.
    last_sentence = angles[0].text.rsplit(". ", 1)[-1]
    assert angles[1].text.startswith(last_sentence)


def test_markdown_title_and_markup(tmp_path: Path) -> None:
    note = tmp_path / "my_note.md"
    note.write_text("# **Bold** Title\n\nText with `code` and **bold**.\n")
    document = read_document(note)
    assert document.slug == "my-note"
    assert document.title == "**Bold** Title"
    assert chunk_document(document)[0].text == "Text with code and bold."


def test_plain_text_and_unsupported_files(tmp_path: Path) -> None:
    text = tmp_path / "prime_gaps.txt"
    text.write_text("Prime gaps grow on average.\n")
    assert read_document(text).title == "Prime Gaps"
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(ValueError, match="only"):
        read_document(tmp_path / "x.docx")
    (tmp_path / "empty.md").write_text("  \n")
    with pytest.raises(ValueError, match="no text"):
        read_document(tmp_path / "empty.md")


def test_content_hash_follows_content() -> None:
    a = DocumentText("a", "A", "text", "a.md")
    assert a.content_hash == DocumentText("a", "A", "text", "other.md").content_hash
    assert a.content_hash != DocumentText("a", "A", "text!", "a.md").content_hash


def test_query_words_drop_noise() -> None:
    assert query_words("What is x^2 + 10x? What IS it?") == ["what", "is", "10", "it"]


def test_sources_are_distinct_and_bounded() -> None:
    passages = [Passage("d", "Doc", i % 25, "Doc", "t") for i in range(50)]
    sources = sources_of(passages)
    assert len(sources) == 20
    assert sources[0].uri == "kb://d#0"
    assert len({s.uri for s in sources}) == 20


def test_the_starter_corpus_covers_the_topic_library() -> None:
    notes = {path.stem: read_document(path) for path in starter_corpus_paths()}
    assert len(notes) >= 25
    text = " ".join(note.text.lower() for note in notes.values())
    for key in TOPICS:
        words = {"fibonacci_golden_ratio": "fibonacci", "mean_variance": "variance", "integral_area": "integral"}
        assert words.get(key, key.split("_")[0]) in text, key
    assert all(50 <= len(note.text.split()) <= 400 for note in notes.values())
