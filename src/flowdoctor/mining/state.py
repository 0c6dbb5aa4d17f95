"""The template miner's saved state: versioned, JSON-ready data, never a pickle.

A pickled object graph ties saved state to the classes that wrote it and runs code when loaded;
plain data with a version number can be read, checked and migrated. Version 1::

    {
      "version": 1,
      "settings": {"max_clusters": 10000, "min_distinct_values": 3, "min_constants": 2,
                   "cache_size": 50000},
      "next_number": 43,
      "clusters": [
        {"id": "T1", "tokens": ["session ", "<*> ", "for ", "user ", "<*>"], "count": 120,
         "merged_into": null, "routed": false},
        {"id": "T7", "tokens": ["..."], "count": 4, "merged_into": "T1", "routed": false}
      ]
    }

Live clusters come first, least recently matched first (the eviction order), then clusters merged
into them, kept so that their ids still resolve. ``routed`` marks a cluster merged from another
token count, whose template still routes lines of its length to the cluster it joined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowdoctor.mining.clusters import Cluster, ClusterStore

STATE_VERSION = 1
"""The state version this module writes and the only one it reads."""

_SETTINGS = ("max_clusters", "min_distinct_values", "min_constants", "cache_size")
_ID = re.compile(r"T([1-9][0-9]{0,17})")


@dataclass(frozen=True, slots=True)
class SavedCluster:
    """One cluster as read from a state, checked."""

    number: int
    tokens: tuple[str, ...]
    count: int
    merged_into: int | None
    routed: bool


@dataclass(frozen=True, slots=True)
class SavedState:
    """A state as read by :func:`load_state`, checked."""

    settings: dict[str, int]
    next_number: int
    clusters: list[SavedCluster]


def dump_state(settings: Mapping[str, int], store: ClusterStore) -> dict[str, Any]:
    """The state of a miner with these settings and clusters."""
    live = list(store.live())
    merged = sorted(
        (record for cluster in live for record in cluster.absorbed), key=lambda c: c.number
    )
    return {
        "version": STATE_VERSION,
        "settings": dict(settings),
        "next_number": store.next_number,
        "clusters": [_dump(cluster) for cluster in (*live, *merged)],
    }


def _dump(cluster: Cluster) -> dict[str, Any]:
    target = cluster.merged_into
    return {
        "id": cluster.cluster_id,
        "tokens": list(cluster.tokens),
        "count": cluster.count,
        "merged_into": None if target is None else target.survivor().cluster_id,
        "routed": cluster.routed,
    }


def load_state(state: Mapping[str, Any]) -> SavedState:
    """The settings and clusters of a saved state; ValueError unless it is a valid version 1.

    >>> load_state({"version": 2})
    Traceback (most recent call last):
    ...
    ValueError: template miner state version 2 is not supported; this flowdoctor reads version 1
    """
    if not isinstance(state, Mapping):
        raise ValueError("template miner state must be a JSON object")
    version = state.get("version")
    if version != STATE_VERSION or isinstance(version, bool):
        raise ValueError(
            f"template miner state version {version!r} is not supported; "
            f"this flowdoctor reads version {STATE_VERSION}"
        )
    settings = _settings(state.get("settings"))
    raw_clusters = state.get("clusters")
    if not isinstance(raw_clusters, list):
        raise ValueError("template miner state: 'clusters' must be a list")
    saved = [_cluster(index, raw) for index, raw in enumerate(raw_clusters)]
    _check_references(saved)
    next_number = state.get("next_number")
    if not isinstance(next_number, int) or isinstance(next_number, bool) or next_number < 1:
        raise ValueError("template miner state: 'next_number' must be a positive integer")
    return SavedState(settings, next_number, saved)


def restore_clusters(store: ClusterStore, saved: SavedState) -> None:
    """Fill an empty ``store`` with the clusters of a state read by :func:`load_state`."""
    by_number: dict[int, Cluster] = {}
    for record in saved.clusters:
        cluster = Cluster(record.number, record.tokens, count=record.count, routed=record.routed)
        by_number[record.number] = cluster
        target = None if record.merged_into is None else by_number[record.merged_into]
        store.restore(cluster, target)
    store.next_number = max(store.next_number, saved.next_number)


def _settings(raw: object) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        raise ValueError("template miner state: 'settings' must be an object")
    settings: dict[str, int] = {}
    for name in _SETTINGS:
        value = raw.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"template miner state: setting {name!r} must be an integer")
        settings[name] = value
    return settings


def _cluster(index: int, raw: object) -> SavedCluster:
    where = f"template miner state: cluster {index}"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be an object")
    number = _number(raw.get("id"), where)
    tokens = raw.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise ValueError(f"{where}: 'tokens' must be a list of strings")
    count = raw.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"{where}: 'count' must be a non-negative integer")
    target = raw.get("merged_into")
    merged_into = None if target is None else _number(target, f"{where}: 'merged_into'")
    routed = raw.get("routed", False)
    if not isinstance(routed, bool):
        raise ValueError(f"{where}: 'routed' must be true or false")
    return SavedCluster(number, tuple(tokens), count, merged_into, routed)


def _number(raw: object, where: str) -> int:
    match = _ID.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        raise ValueError(f"{where}: id must look like 'T1', got {raw!r}")
    return int(match.group(1))


def _check_references(saved: list[SavedCluster]) -> None:
    """Ids are unique, and a merged cluster names a live cluster saved before it."""
    live: set[int] = set()
    seen: set[int] = set()
    for record in saved:
        if record.number in seen:
            raise ValueError(f"template miner state: id 'T{record.number}' appears twice")
        seen.add(record.number)
        if record.merged_into is None:
            live.add(record.number)
        elif record.merged_into not in live:
            raise ValueError(
                f"template miner state: 'T{record.number}' is merged into "
                f"'T{record.merged_into}', which is not a live cluster saved before it"
            )
