"""Clusters of lines that share a template, and the rules that merge them.

A cluster's template is a tuple of tokens (see :mod:`~flowdoctor.mining.tokens`); a wildcard token
matches any token, every other token must be equal. A masked line that no template matches starts
a cluster of its own, and then the store looks for evidence that the words where clusters differ
are variables. Two rules merge clusters; a merge keeps the oldest cluster, so the first id handed
out stays the id, and keeps the others as records merged into it, so every id still resolves.

**Variable positions.** Take the new cluster and the clusters of its length that differ from it at
a set of positions S and agree everywhere else. If each position of S holds at least
``min_distinct_values`` different words across them (``root``, ``admin``, ``guest``, ``oracle``
are user names, not four events), or a wildcard (a digit was masked there in some line), S holds
variables: the clusters merge into one template with S made wildcards. The merged template must
keep at least ``min_constants`` words and no fewer words than wildcards it gains. Two or three
values are not enough: ``session opened`` / ``session closed`` or ``... HTTPS`` / ``... SOCKS5``
are different events, and merging them would spoil both groups.

**Skeletons.** Clusters whose words, leaving out the wildcard tokens, are the same
sequence merge even when their lengths differ: ``<*> bytes sent`` and ``<*> <*> sent`` are one
event whose variable spans one token or two.

Bounds. Memory: at most ``max_clusters`` cluster records (live clusters plus merged ones kept for
their ids), each of at most :data:`~flowdoctor.mining.tokens.MAX_TOKENS` tokens. When a new
cluster would exceed that, the least recently matched live cluster is evicted with the records
merged into it; its ids then resolve to nothing, and a later line of its shape starts a new cluster
under a new id. Time: a new cluster is compared with at most :data:`MERGE_CANDIDATES` of the newest
clusters of its length, so even a stream of lines that are all different costs a bounded time per
line.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter, ne
from typing import Any

from flowdoctor.mining.tokens import generalize, is_wildcard

MERGE_CANDIDATES = 256
"""A new cluster is compared with at most this many of the newest clusters of its length."""

_FIRST_IS_WILDCARD = ""
"""Bucket key for templates whose first token is a wildcard (no real token is empty)."""


@dataclass(slots=True, eq=False)
class Cluster:
    """Lines sharing a template. ``merged_into`` is set once the cluster was folded into another."""

    number: int
    tokens: tuple[str, ...]
    count: int = 0
    routed: bool = False
    """Merged from another length: its template still routes lines to the cluster it joined."""
    merged_into: Cluster | None = None
    evicted: bool = False
    cluster_id: str = ""
    template: str = ""
    constant_count: int = 0
    absorbed: list[Cluster] = field(default_factory=list)
    skeleton: tuple[str, ...] | None = None
    # What a line must hold to fit: ``_pick(tokens) == _want`` compares in C, not token by token.
    _pick: Any = None
    _want: Any = None

    def __post_init__(self) -> None:
        self.cluster_id = f"T{self.number}"  # kept rather than computed: it is read for every line
        self.set_tokens(self.tokens)

    def set_tokens(self, tokens: tuple[str, ...]) -> None:
        """Replace the template, recomputing what matching and rendering need."""
        self.tokens = tokens
        self.template = "".join(tokens).rstrip()
        positions = tuple(i for i, token in enumerate(tokens) if not is_wildcard(token))
        self.constant_count = len(positions)
        if not positions:
            # Nothing but wildcards would match every line of the length: require these tokens.
            positions = tuple(range(len(tokens)))
        if positions:
            self._pick = itemgetter(*positions)
            self._want = self._pick(tokens)
        else:
            self._pick, self._want = None, None  # the empty template fits the empty line

    def matches(self, tokens: tuple[str, ...]) -> bool:
        """Whether a masked line of the same length fits this template."""
        return self._pick is None or bool(self._pick(tokens) == self._want)

    def survivor(self) -> Cluster:
        """The live cluster this one was (perhaps through others) merged into, or itself."""
        cluster = self
        while cluster.merged_into is not None:
            cluster = cluster.merged_into
        return cluster


def _bucket_key(tokens: tuple[str, ...]) -> tuple[int, str]:
    if not tokens or is_wildcard(tokens[0]):
        return (len(tokens), _FIRST_IS_WILDCARD)
    return (len(tokens), tokens[0])


def _is_variable(words: set[str], needed: int) -> bool:
    return len(words) >= needed or any(map(is_wildcard, words))


def _differences(first: tuple[str, ...], second: tuple[str, ...]) -> frozenset[int]:
    return frozenset(i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b)


class ClusterStore:
    """The clusters, indexed for matching and for finding merge candidates."""

    def __init__(self, *, max_clusters: int, min_distinct_values: int, min_constants: int) -> None:
        self.max_clusters = max_clusters
        self.min_distinct_values = min_distinct_values
        self.min_constants = min_constants
        self.next_number = 1
        self.records = 0
        # Live clusters, least recently matched first: the eviction order.
        self._live: OrderedDict[int, Cluster] = OrderedDict()
        self._by_id: dict[str, Cluster] = {}
        # (length, first token) -> the clusters a line of that shape may match; clusters merged
        # across lengths stay as routes. A line looks in two buckets, not at every cluster.
        self._buckets: dict[tuple[int, str], list[Cluster]] = {}
        # length -> live clusters by number, oldest first: the merge candidates.
        self._by_length: dict[int, dict[int, Cluster]] = {}
        self._skeletons: dict[tuple[str, ...], Cluster] = {}

    def __len__(self) -> int:
        return len(self._live)

    def live(self) -> Iterator[Cluster]:
        """Live clusters, least recently matched first."""
        return iter(self._live.values())

    def get(self, cluster_id: str) -> Cluster | None:
        """The cluster record with this id (live or merged), or None when unknown or evicted."""
        return self._by_id.get(cluster_id)

    def touch(self, cluster: Cluster) -> None:
        """Mark live ``cluster`` as just matched, for the eviction order."""
        self._live.move_to_end(cluster.number)

    def find(self, tokens: tuple[str, ...]) -> Cluster | None:
        """The live cluster whose template fits ``tokens`` with the fewest wildcards, if any."""
        key = _bucket_key(tokens)
        candidates = self._buckets.get(key, [])
        if key[1] != _FIRST_IS_WILDCARD:
            candidates = candidates + self._buckets.get((key[0], _FIRST_IS_WILDCARD), [])
        best: Cluster | None = None
        for cluster in candidates:
            if cluster.matches(tokens) and (
                best is None
                or (cluster.constant_count, -cluster.number) > (best.constant_count, -best.number)
            ):
                best = cluster
        return None if best is None else best.survivor()

    def create(self, tokens: tuple[str, ...]) -> Cluster:
        """Start a cluster for ``tokens``, merge what the evidence allows, return its survivor."""
        while self.records >= self.max_clusters and self._live:
            self._evict(next(iter(self._live.values())))
        cluster = Cluster(self.next_number, tokens)
        self.next_number += 1
        self._add_record(cluster)
        self._settle(cluster)
        return cluster.survivor()

    def restore(self, cluster: Cluster, merged_into: Cluster | None) -> None:
        """Put back a cluster read from a saved state, in saved order, without merging anything.

        Live clusters come first, in eviction order; a merged one names its live survivor.
        """
        self._add_record(cluster)
        if merged_into is None:
            self._file_skeleton(cluster)
            return
        self._drop_live(cluster)
        cluster.merged_into = merged_into
        merged_into.absorbed.append(cluster)
        if not cluster.routed:
            self._unbucket(cluster)

    # -- merging -------------------------------------------------------------------------------

    def _settle(self, cluster: Cluster) -> None:
        current = cluster
        while True:
            merge = self._variable_positions(current)
            if merge is not None:
                current = self._merge_at(*merge)
                continue
            other = self._file_skeleton(current)
            if other is not None:
                keep, fold = sorted((current, other), key=lambda c: c.number)
                fold.routed = True  # another length: lines of its shape must still find it
                self._retire(fold, keep)
                self._file_skeleton(keep)
            return

    def _variable_positions(self, cluster: Cluster) -> tuple[frozenset[int], list[Cluster]] | None:
        """Positions the newest clusters of its length show to be variables, and those clusters."""
        tokens = cluster.tokens
        peers = self._by_length.get(len(tokens), {})
        newest = islice(reversed(peers.values()), MERGE_CANDIDATES)
        # A merge keeps at least as many words as it turns into wildcards, so a cluster differing
        # at more than half the positions cannot take part; counting differences runs in C.
        most = len(tokens) // 2
        differing: dict[frozenset[int], list[Cluster]] = {}
        for other in newest:
            if other is not cluster and sum(map(ne, tokens, other.tokens)) <= most:
                differing.setdefault(_differences(tokens, other.tokens), []).append(other)
        # Try the smallest sets of positions first: the fewest words turned into wildcards.
        for positions in sorted(differing, key=len):
            kept = cluster.constant_count - sum(not is_wildcard(tokens[p]) for p in positions)
            if kept < max(self.min_constants, len(positions)):
                continue
            group = [cluster]
            for other_positions, others in differing.items():
                if other_positions <= positions:
                    group.extend(others)
            # Words varying together may be a few fixed pairs (``from NEW to ASSIGNED``), so each
            # more position at once asks for more evidence.
            needed = self.min_distinct_values * len(positions)
            if all(_is_variable({c.tokens[p] for c in group}, needed) for p in positions):
                return positions, group
        return None

    def _file_skeleton(self, cluster: Cluster) -> Cluster | None:
        """File ``cluster`` by its skeleton; return another live cluster with the same one."""
        if cluster.constant_count == len(cluster.tokens):
            return None  # nothing variable, so nothing that could stretch
        skeleton = tuple(token.strip() for token in cluster.tokens if not is_wildcard(token))
        if len(skeleton) <= self.min_constants:
            return None
        other = self._skeletons.get(skeleton)
        if other is not None and other is not cluster and other.merged_into is None:
            return other
        self._skeletons[skeleton] = cluster
        cluster.skeleton = skeleton
        return None

    def _merge_at(self, positions: frozenset[int], group: list[Cluster]) -> Cluster:
        keep = min(group, key=lambda c: c.number)
        for other in group:
            if other is not keep:
                self._retire(other, keep)
        tokens = list(keep.tokens)
        for position in positions:
            tokens[position] = generalize(tokens[position])
        self._forget_skeleton(keep)
        self._unbucket(keep)
        keep.set_tokens(tuple(tokens))
        self._bucket(keep)
        # The wider template may cover clusters beyond the candidates that were compared.
        for other in list(self._by_length.get(len(tokens), {}).values()):
            if other is not keep and keep.matches(other.tokens):
                self._retire(other, keep)
        return keep

    def _retire(self, cluster: Cluster, into: Cluster) -> None:
        """Fold live ``cluster`` into live ``into``."""
        self._forget_skeleton(cluster)
        if not cluster.routed:
            self._unbucket(cluster)  # ``into`` covers its template now
        self._drop_live(cluster)
        cluster.merged_into = into
        into.count += cluster.count
        into.absorbed.append(cluster)
        into.absorbed.extend(cluster.absorbed)
        cluster.absorbed = []

    # -- bookkeeping ---------------------------------------------------------------------------

    def _add_record(self, cluster: Cluster) -> None:
        self._live[cluster.number] = cluster
        self._by_length.setdefault(len(cluster.tokens), {})[cluster.number] = cluster
        self._by_id[cluster.cluster_id] = cluster
        self._bucket(cluster)
        self.records += 1
        self.next_number = max(self.next_number, cluster.number + 1)

    def _drop_live(self, cluster: Cluster) -> None:
        self._live.pop(cluster.number, None)
        peers = self._by_length.get(len(cluster.tokens))
        if peers is not None:
            peers.pop(cluster.number, None)
            if not peers:
                del self._by_length[len(cluster.tokens)]

    def _forget_skeleton(self, cluster: Cluster) -> None:
        if cluster.skeleton is not None and self._skeletons.get(cluster.skeleton) is cluster:
            del self._skeletons[cluster.skeleton]
        cluster.skeleton = None

    def _bucket(self, cluster: Cluster) -> None:
        self._buckets.setdefault(_bucket_key(cluster.tokens), []).append(cluster)

    def _unbucket(self, cluster: Cluster) -> None:
        key = _bucket_key(cluster.tokens)
        bucket = self._buckets.get(key, [])
        for index, member in enumerate(bucket):
            if member is cluster:
                del bucket[index]
                break
        if not bucket:
            self._buckets.pop(key, None)

    def _evict(self, cluster: Cluster) -> None:
        for record in (cluster, *cluster.absorbed):
            self._forget_skeleton(record)
            self._unbucket(record)
            self._drop_live(record)
            self._by_id.pop(record.cluster_id, None)
            record.evicted = True
            self.records -= 1
        cluster.absorbed = []
