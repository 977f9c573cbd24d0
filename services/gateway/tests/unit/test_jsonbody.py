"""Strict JSON parsing of request bodies."""

from __future__ import annotations

import json

import pytest

from mathreel_gateway.jsonbody import parse_strict_json


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe",
        b'{"a": "\xc3"}',
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"[-Infinity]",
        b'{"a": "\\ud800"}',
        b'["ok", {"deep": "\\udfff"}]',
        b"[" * 5000 + b"]" * 5000,
        b"{",
    ],
)
def test_anything_but_standard_utf8_json_is_a_decode_error(body: bytes) -> None:
    with pytest.raises(json.JSONDecodeError):
        parse_strict_json(body)


def test_standard_json_parses_as_usual() -> None:
    body = '{"topic": "π 📐 משפט", "pair": "\\ud83d\\ude00", "n": [1, 2.5, null, true]}'.encode()
    assert parse_strict_json(body) == {"topic": "π 📐 משפט", "pair": "😀", "n": [1, 2.5, None, True]}
