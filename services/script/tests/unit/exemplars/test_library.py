from pathlib import Path

from mathreel_script.curriculum import load_curriculum
from mathreel_script.exemplars.library import ExemplarLibrary, shipped_exemplar_dir


def test_at_least_ten_valid_varied_exemplars_ship() -> None:
    library = ExemplarLibrary.load()
    shipped = {path.stem for path in shipped_exemplar_dir().glob("*.json")}
    lessons = {entry.key.replace("_", "-") for entry in load_curriculum()}
    assert len(shipped) >= 10
    # Every shipped exemplar, and every curriculum lesson a shipped file does not replace.
    assert library.names == sorted(shipped | lessons)
    titles = {library.nearest(name.replace("-", " "), 1)[0].storyboard.title for name in library.names}
    assert len(titles) == len(library)


def test_nearest_by_topic() -> None:
    library = ExemplarLibrary.load()
    # The shipped chain rule exemplar, or the curriculum's lesson on the chain rule.
    assert library.nearest("the chain rule for composite functions", 1)[0].name in {
        "chain-rule",
        "chain-rule-derivatives",
    }
    assert library.nearest("Eigenvalues", 1)[0].name in {"eigenvectors", "eigenvalues-eigenvectors"}
    assert next(e.name for e in library.nearest("area of a circle", 2)) in {"circle-area", "area-of-circle"}
    # An unknown subject still gets an example of good structure.
    assert len(library.nearest("knot theory", 2)) == 2


def test_operators_add_and_override_exemplars(tmp_path: Path) -> None:
    shipped = (shipped_exemplar_dir() / "chain-rule.json").read_text()
    (tmp_path / "knots.json").write_text(shipped.replace('"title": "The Chain Rule"', '"title": "Knots and Links"'))
    (tmp_path / "broken.json").write_text('{"title": "no scenes"}')

    library = ExemplarLibrary.load(tmp_path)

    assert "knots" in library.names
    assert "broken" not in library.names
    assert library.nearest("knots and links", 1)[0].name == "knots"
    assert len(ExemplarLibrary.load(tmp_path / "missing")) == len(ExemplarLibrary.load())
