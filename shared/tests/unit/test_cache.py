"""Content addresses and code fingerprints of the artifact cache (no I/O beyond a temporary package)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mathreel_shared.cache import CacheKind, cache_object_key, content_key, package_fingerprint


def test_a_content_key_does_not_depend_on_key_order_but_on_every_value_and_the_user() -> None:
    key = content_key(CacheKind.SCENE, "alice", {"a": 1, "b": [1, 2]})
    assert key == content_key(CacheKind.SCENE, "alice", {"b": [1, 2], "a": 1})
    assert key != content_key(CacheKind.SCENE, "alice", {"a": 1, "b": [2, 1]})
    assert key != content_key(CacheKind.SPEECH, "alice", {"a": 1, "b": [1, 2]})
    assert key != content_key(CacheKind.SCENE, "bob", {"a": 1, "b": [1, 2]})


def test_object_keys_live_under_the_users_prefix_and_take_only_digests() -> None:
    key = content_key(CacheKind.SPEECH, "alice", {})
    assert cache_object_key("alice", CacheKind.SPEECH, key, ".wav") == f"users/alice/cache/speech/{key}.wav"
    with pytest.raises(ValueError, match="SHA-256"):
        cache_object_key("alice", CacheKind.SPEECH, "../../jobs/x", ".wav")
    with pytest.raises(ValueError, match="not allowed"):
        content_key(CacheKind.SPEECH, "../bob", {})


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "fingerprinted_pkg"
    (root / "builders").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "builders" / "shapes.py").write_text("RADIUS = 1\n")
    sys.path.insert(0, str(tmp_path))
    yield root
    sys.path.remove(str(tmp_path))
    sys.modules.pop("fingerprinted_pkg", None)


def test_the_fingerprint_of_a_package_changes_with_any_file(package: Path) -> None:
    before = package_fingerprint("fingerprinted_pkg")
    (package / "builders" / "__pycache__").mkdir()
    (package / "builders" / "__pycache__" / "shapes.cpython-311.pyc").write_bytes(b"compiled")
    package_fingerprint.cache_clear()
    assert package_fingerprint("fingerprinted_pkg") == before  # compiled caches are not the code
    (package / "builders" / "shapes.py").write_text("RADIUS = 2\n")
    package_fingerprint.cache_clear()
    assert package_fingerprint("fingerprinted_pkg") != before
    with pytest.raises(ValueError, match="not an installed package"):
        package_fingerprint("no_such_package_here")
