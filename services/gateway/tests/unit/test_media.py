import pytest

from mathreel_gateway.errors import RangeNotSatisfiable
from mathreel_gateway.media import ByteRange, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-5000", ByteRange(0, 999)),
        ("bytes=990-5000", ByteRange(990, 999)),
        ("bytes=999-999", ByteRange(999, 999)),
        ("BYTES = 1-2", ByteRange(1, 2)),
    ],
)
def test_satisfiable_ranges(header: str, expected: ByteRange) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header", ["bytes=1000-", "bytes=1000-1001", "bytes=5-4", "bytes=-0", "bytes=-", "items=0-1", "bytes=a-b", "0-1"]
)
def test_unsatisfiable_or_malformed_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable) as caught:
        parse_range(header, 1000)
    assert caught.value.headers == {"Content-Range": "bytes */1000"}


def test_no_header_and_multiple_ranges_mean_whole_file() -> None:
    assert parse_range(None, 1000) is None
    assert parse_range("bytes=0-1,5-6", 1000) is None


def test_any_range_of_an_empty_file_is_unsatisfiable() -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=-1", 0)
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=0-", 0)


def test_length_is_inclusive() -> None:
    assert ByteRange(10, 19).length == 10
