"""Saved miner state: version 1 is read back exactly; anything else is refused, saying why."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from flowdoctor.mining import TemplateMiner
from flowdoctor.mining.state import load_state


def _state() -> dict[str, Any]:
    miner = TemplateMiner()
    for name in ("crm", "ads", "sheets", "mail"):
        miner.add(f"Token refresh for connection {name} failed: invalid_grant")
    miner.add("bytes sent: 0 bytes sent, lifetime 00:01")
    miner.add("bytes sent: 1052 bytes (1.02 KB) sent, lifetime 02:02:11")
    return miner.to_state()


def test_the_state_holds_live_and_merged_clusters() -> None:
    state = _state()
    assert state["version"] == 1
    merged = [c for c in state["clusters"] if c["merged_into"] is not None]
    live = [c for c in state["clusters"] if c["merged_into"] is None]
    assert {c["merged_into"] for c in merged} <= {c["id"] for c in live}
    assert any(c["routed"] for c in merged)  # the second "bytes sent" line had another length
    restored = TemplateMiner.from_state(state)
    assert restored.to_state() == state
    assert restored.resolve(merged[0]["id"]) == merged[0]["merged_into"]


def _broken(path: list[Any], value: object) -> dict[str, Any]:
    state = copy.deepcopy(_state())
    target: Any = state
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return state


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["settings"], None, "'settings' must be an object"),
        (["settings", "max_clusters"], "10", "'max_clusters' must be an integer"),
        (["settings", "cache_size"], KeyError, "'cache_size' must be an integer"),
        (["clusters"], {}, "'clusters' must be a list"),
        (["clusters", 0], "T1", "cluster 0 must be an object"),
        (["clusters", 0, "id"], "X1", "id must look like 'T1'"),
        (["clusters", 0, "id"], "T0", "id must look like 'T1'"),
        (["clusters", 0, "tokens"], "a b", "'tokens' must be a list of strings"),
        (["clusters", 0, "tokens"], ["a", 1], "'tokens' must be a list of strings"),
        (["clusters", 0, "count"], -1, "'count' must be a non-negative integer"),
        (["clusters", 0, "routed"], "no", "'routed' must be true or false"),
        (["clusters", 0, "merged_into"], "T999", "not a live cluster saved before it"),
        (["next_number"], 0, "'next_number' must be a positive integer"),
    ],
)
def test_malformed_states_are_refused_saying_what_is_wrong(
    path: list[Any], value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TemplateMiner.from_state(_broken(path, value))


def test_duplicate_ids_are_refused() -> None:
    state = _state()
    state["clusters"].append(dict(state["clusters"][0]))
    with pytest.raises(ValueError, match="appears twice"):
        TemplateMiner.from_state(state)


def test_a_state_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        load_state([1])  # type: ignore[arg-type]


def test_invalid_settings_in_a_state_are_refused_like_in_the_constructor() -> None:
    state = _state()
    state["settings"]["max_clusters"] = 0
    with pytest.raises(ValueError, match="max_clusters must be at least 1"):
        TemplateMiner.from_state(state)
