"""The template miner: one pass over a stream of lines, each line named by its template.

>>> miner = TemplateMiner()
>>> first = miner.add("Retrying request 3 of 5 to the CRM API")
>>> first.template_id, first.template, first.change
('T1', 'Retrying request <*> of <*> to the CRM API', <TemplateChange.CREATED: 'created'>)
>>> again = miner.add("Retrying request 4 of 5 to the CRM API")
>>> again.template_id, again.count, again.change
('T1', 2, <TemplateChange.NONE: 'none'>)

How a line is named: :class:`~flowdoctor.mining.tokens.Masker` replaces what looks variable and
the :class:`~flowdoctor.mining.clusters.ClusterStore` matches the masked line against the
templates, merging clusters when the lines show that a word is a variable. Two bounded caches
answer repeats in a dictionary look-up: lines that differ only in their digits (they mask alike,
see :func:`~flowdoctor.mining.tokens.digit_shape`), and lines that mask alike. A repeat gets the
answer its first occurrence got, merges followed.

Ids are ``T`` and a number given in order of first appearance: the same lines in the same order
give the same ids in every run, and :meth:`TemplateMiner.to_state` /
:meth:`TemplateMiner.from_state` carry them across restarts. A merge folds a newer cluster into an
older one; the newer id stays valid and :meth:`TemplateMiner.resolve` says which id it now belongs
to.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flowdoctor.mining.clusters import Cluster, ClusterStore
from flowdoctor.mining.state import dump_state, load_state, restore_clusters
from flowdoctor.mining.tokens import Masker, digit_shape, tokenize

DEFAULT_MAX_CLUSTERS = 10_000
DEFAULT_CACHE_SIZE = 20_000
CACHED_LINE_CHARS = 512
"""Only lines up to this long are cached, so each cache stays within a few tens of megabytes."""


class TemplateChange(StrEnum):
    """What adding a line did to the templates."""

    NONE = "none"
    """The line fitted a template as it was."""
    CREATED = "created"
    """The line started a new template."""
    UPDATED = "updated"
    """The line joined an older template, which widened to take it in."""


@dataclass(slots=True)
class TemplateMatch:
    """The template a line belongs to, as it stood right after the line was added.

    A snapshot: changing it changes nothing in the miner. Not frozen, because one is built for
    every line and a frozen dataclass is built about three times slower.
    """

    template_id: str
    template: str
    change: TemplateChange
    count: int


@dataclass(slots=True)
class Template:
    """One template in :meth:`TemplateMiner.templates` (a snapshot)."""

    template_id: str
    template: str
    count: int


_UNCHANGED = TemplateChange.NONE


class TemplateMiner:
    """Online template miner: :meth:`add` learns, :meth:`match` only looks.

    ``max_clusters`` bounds memory (see :mod:`~flowdoctor.mining.clusters` for the eviction
    policy). ``min_distinct_values`` is how many different words one position must show before it
    is taken for a variable, and ``min_constants`` how many fixed words the rest of the template
    must keep for that. ``cache_size`` bounds each of the two caches of answers (entries for
    lines of at most :data:`CACHED_LINE_CHARS` characters); 0 turns them off.
    """

    def __init__(
        self,
        *,
        max_clusters: int = DEFAULT_MAX_CLUSTERS,
        min_distinct_values: int = 4,
        min_constants: int = 2,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if max_clusters < 1:
            raise ValueError("max_clusters must be at least 1")
        if min_distinct_values < 2:
            raise ValueError("min_distinct_values must be at least 2")
        if min_constants < 0:
            raise ValueError("min_constants must not be negative")
        if cache_size < 0:
            raise ValueError("cache_size must not be negative")
        self._store = ClusterStore(
            max_clusters=max_clusters,
            min_distinct_values=min_distinct_values,
            min_constants=min_constants,
        )
        self._cache_size = cache_size
        self._by_shape: dict[bytes, Cluster] = {}
        self._by_masked: dict[str, Cluster] = {}
        self._mask = Masker()

    def __len__(self) -> int:
        """The number of templates (live clusters)."""
        return len(self._store)

    @property
    def settings(self) -> dict[str, int]:
        """The constructor arguments, as saved in the state."""
        store = self._store
        return {
            "max_clusters": store.max_clusters,
            "min_distinct_values": store.min_distinct_values,
            "min_constants": store.min_constants,
            "cache_size": self._cache_size,
        }

    def add(self, line: str) -> TemplateMatch:
        """Learn from ``line`` and return its template. Any ``str`` is accepted."""
        shape = digit_shape(line)
        cluster = _cached(self._by_shape, shape)
        if cluster is not None:  # the common case, kept short: no masking, no matching
            cluster.count += 1
            self._store.touch(cluster)
            return TemplateMatch(cluster.cluster_id, cluster.template, _UNCHANGED, cluster.count)
        masked = self._mask(line)
        cluster = _cached(self._by_masked, masked)
        change = _UNCHANGED
        if cluster is None:
            cluster, change = self._learn(tokenize(masked))
        cluster.count += 1
        self._store.touch(cluster)
        if len(line) <= CACHED_LINE_CHARS:
            _remember(self._by_shape, shape, cluster, self._cache_size)
            _remember(self._by_masked, masked, cluster, self._cache_size)
        return TemplateMatch(cluster.cluster_id, cluster.template, change, cluster.count)

    def _learn(self, tokens: tuple[str, ...]) -> tuple[Cluster, TemplateChange]:
        store = self._store
        cluster = store.find(tokens)
        if cluster is not None:
            return cluster, _UNCHANGED
        number = store.next_number
        cluster = store.create(tokens)
        # Merges keep the oldest cluster: a line whose cluster merged at birth widened an older one.
        if cluster.number == number:
            return cluster, TemplateChange.CREATED
        return cluster, TemplateChange.UPDATED

    def match(self, line: str) -> TemplateMatch | None:
        """The template ``line`` fits, without learning anything; None when none fits."""
        cluster = _cached(self._by_shape, digit_shape(line))
        if cluster is None:
            cluster = self._store.find(tokenize(self._mask(line)))
        if cluster is None:
            return None
        return TemplateMatch(cluster.cluster_id, cluster.template, _UNCHANGED, cluster.count)

    def resolve(self, template_id: str) -> str | None:
        """The id that the template once named ``template_id`` has now (itself unless merged), or
        None if the id is unknown or its template was evicted.

        >>> miner = TemplateMiner()
        >>> miner.resolve(miner.add("disk full").template_id), miner.resolve("T99")
        ('T1', None)
        """
        cluster = self._store.get(template_id)
        return None if cluster is None else cluster.survivor().cluster_id

    def templates(self) -> list[Template]:
        """Every template, most frequent first (ties: oldest first)."""
        clusters = sorted(self._store.live(), key=lambda c: (-c.count, c.number))
        return [Template(c.cluster_id, c.template, c.count) for c in clusters]

    def to_state(self) -> dict[str, Any]:
        """The miner as JSON-ready data with ``"version": 1``; no pickles.

        The caches are not saved: they only save work and refill as lines come.
        """
        return dump_state(self.settings, self._store)

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> TemplateMiner:
        """A miner restored from :meth:`to_state` output, ids and counts included.

        Raises ValueError for a state of another version or malformed data.
        """
        saved = load_state(state)
        miner = cls(**saved.settings)
        restore_clusters(miner._store, saved)
        return miner


def _cached(cache: Mapping[Any, Cluster], key: Hashable) -> Cluster | None:
    """The live cluster a cache entry leads to, or None (no entry, or its cluster was evicted)."""
    cluster = cache.get(key)
    if cluster is None:
        return None
    if cluster.merged_into is not None:
        cluster = cluster.survivor()
    return None if cluster.evicted else cluster


def _remember(cache: dict[Any, Cluster], key: Hashable, cluster: Cluster, size: int) -> None:
    if size == 0:
        return
    if len(cache) >= size:
        # Dicts keep insertion order: dropping the oldest entry is O(1), and good enough for a
        # cache that only saves work.
        del cache[next(iter(cache))]
    cache[key] = cluster
