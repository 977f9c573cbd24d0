"""The collector settings a service process takes once it has started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mathreel_shared.heap import YOUNG_COLLECTION_THRESHOLD, settle_after_startup


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_start_up_objects_leave_the_collectors_reach_and_young_collections_get_rarer() -> None:
    survivor = [object() for _ in range(100)]
    settle_after_startup()
    assert gc.get_freeze_count() >= len(survivor)
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD
    # Cycles made afterwards are still collected.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
