import pytest

from mathreel_scenelang.layout import (
    MIN_GLYPH_PX,
    Box,
    Kind,
    Layout,
    LayoutItem,
    LayoutUnfixable,
    check_boxes,
)

FRAME_WIDTH = 8.0 * 854 / 480


def _layout(*items: LayoutItem) -> Layout:
    layout = Layout(frame_width=FRAME_WIDTH)
    for item in items:
        layout.add(item)
    return layout


def _text(item_id: str, cx: float, cy: float, w: float = 3.0, h: float = 0.5, **kw: object) -> LayoutItem:
    return LayoutItem(id=item_id, kind=Kind.TEXT, box=Box.around(cx, cy, w, h), glyph_px=18.0, **kw)  # type: ignore[arg-type]


def _clean(layout: Layout) -> None:
    assert layout.check() == []
    for item in layout.items.values():
        assert layout.safe.contains(item.box)


def test_checker_finds_each_kind_of_problem() -> None:
    layout = _layout(
        _text("a", 0, 0),
        _text("b", 1, 0.2),
        _text("off", 7.0, 0, w=2),
        LayoutItem(id="tiny", kind=Kind.TEXT, box=Box.around(0, -3, 1, 0.2), glyph_px=6.0),
    )
    found = {(issue.check, issue.ids) for issue in layout.check()}
    assert ("no_overlap", ("a", "b")) in found
    assert ("in_safe_area", ("off",)) in found
    assert ("readable", ("tiny",)) in found


def test_touching_edges_and_grouped_objects_do_not_count_as_overlap() -> None:
    layout = _layout(
        _text("a", 0, 0, w=2),
        _text("b", 2, 0, w=2),  # shares an edge with a
        LayoutItem(id="axes", kind=Kind.BLOCK, box=Box.around(0, -2, 4, 2)),
        LayoutItem(id="brace", kind=Kind.ANNOTATION, box=Box.around(0, -2.5, 2, 0.5), anchor="axes", movable=False),
    )
    assert layout.check() == []


def test_new_text_in_an_occupied_region_is_stacked_below() -> None:
    layout = _layout(_text("first", 0, 0, w=4, h=0.6, region="center"))
    layout.add(_text("second", 0, 0, w=4, h=0.6, region="center"))
    fixes = layout.settle(["second"])
    _clean(layout)
    first, second = layout.items["first"].box, layout.items["second"].box
    assert second.y1 <= first.y0  # directly below, not on top
    assert abs(second.center[0] - first.center[0]) < 0.5
    assert [f.action for f in fixes] == ["place"]


def test_region_is_respected_when_free() -> None:
    layout = _layout(_text("note", 0, 0, w=3, h=0.5, region="bottom"))
    layout.settle(["note"])
    assert layout.region_box("bottom").contains(layout.items["note"].box)


def test_off_frame_annotation_pulls_its_anchor_inside() -> None:
    layout = _layout(_text("eq", 0, -3.2, w=3, h=0.5))
    layout.add(LayoutItem(id="brace", kind=Kind.ANNOTATION, box=Box(-1.5, -4.2, 1.5, -3.5), anchor="eq", movable=False))
    fixes = layout.settle([])
    _clean(layout)
    assert any(f.action == "move" and f.id == "eq" for f in fixes)
    assert layout.items["brace"].box.y0 >= layout.safe.y0


def test_too_small_text_is_grown_to_the_readable_minimum() -> None:
    layout = _layout(LayoutItem(id="small", kind=Kind.TEXT, box=Box.around(0, 0, 1, 0.2), glyph_px=5.0))
    fixes = layout.settle([])
    _clean(layout)
    assert layout.items["small"].glyph_px == pytest.approx(MIN_GLYPH_PX, rel=0.01)
    assert layout.items["small"].box.width == pytest.approx(2.0, rel=0.01)
    assert fixes[0].action == "grow"


def test_big_text_is_shrunk_but_stays_readable() -> None:
    layout = _layout(_text("wide", 0, 0, w=20, h=0.6))
    fixes = layout.settle(["wide"])
    _clean(layout)
    assert any(f.action == "shrink" for f in fixes)
    assert layout.items["wide"].glyph_px is not None
    assert layout.items["wide"].glyph_px >= MIN_GLYPH_PX


def test_moved_object_collision_moves_the_newer_one_away() -> None:
    layout = _layout(_text("old", 0, 0, w=4), _text("new", 0.5, 0.1, w=4))
    fixes = layout.settle([])
    _clean(layout)
    assert [f.id for f in fixes if f.action == "move"] == ["new"]
    assert layout.items["old"].box == Box.around(0, 0, 4, 0.5)


def test_older_objects_are_faded_when_the_screen_is_full() -> None:
    layout = _layout(*(_text(f"t{i}", 0, 3.2 - i * 1.05, w=12, h=0.9) for i in range(7)))
    assert layout.check() == []
    layout.add(_text("late", 0, 0, w=12, h=0.9))
    fixes = layout.settle(["late"])
    _clean(layout)
    assert [f.id for f in fixes if f.action == "fade"] == ["t0"]
    assert "late" in layout.items


def test_protected_objects_are_not_faded() -> None:
    layout = _layout(*(_text(f"t{i}", 0, 3.2 - i * 1.05, w=12, h=0.9) for i in range(7)))
    layout.add(_text("late", 0, 0, w=12, h=0.9))
    fixes = layout.settle(["late"], protected={"t0", "t1"})
    assert [f.id for f in fixes if f.action == "fade"] == ["t2"]


def test_unfixable_overlap_raises_with_reason() -> None:
    layout = _layout(
        _text("a", 0, 0, movable=False, evictable=False),
        _text("b", 0.3, 0, movable=False, evictable=False),
    )
    with pytest.raises(LayoutUnfixable, match="'a' and 'b' overlap"):
        layout.settle([])


def test_text_too_large_to_read_anywhere_raises() -> None:
    layout = _layout(LayoutItem(id="essay", kind=Kind.TEXT, box=Box.around(0, 0, 40, 12), glyph_px=12.0))
    with pytest.raises(LayoutUnfixable, match="essay"):
        layout.settle(["essay"])


def test_group_moves_together() -> None:
    layout = _layout(
        _text("title", 0, 3.2, w=12, h=0.9),
        LayoutItem(id="axes", kind=Kind.BLOCK, box=Box.around(0, 3.0, 6, 3)),
    )
    layout.add(LayoutItem(id="plot", kind=Kind.MEMBER, box=Box.around(0, 3.0, 5, 2), anchor="axes", movable=False))
    layout.settle(["axes"])
    _clean(layout)
    assert layout.items["plot"].box.center == pytest.approx(layout.items["axes"].box.center)


def test_check_boxes_honours_ignores() -> None:
    label = LayoutItem(id="arrow.label", kind=Kind.ANNOTATION, box=Box.around(0, 0, 1, 1), ignores=frozenset({"a"}))
    other = _text("a", 0, 0)
    safe = Box(-7, -4, 7, 4)
    assert check_boxes([label, other], safe) == []
