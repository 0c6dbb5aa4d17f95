"""The dependency graph as seen by the ranking: who can reach whom, who is observed behind whom."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping

Graph = Mapping[str, Collection[str]]  # caller -> callees (workflow -> step -> platform)


def observed_dependencies(graph: Graph, node: str, observed: Collection[str]) -> set[str]:
    """The nearest observed nodes ``node`` depends on, looking through unobserved ones.

    A callee without metrics says nothing, so its own callees stand in for it.

    >>> sorted(observed_dependencies({"a": ["b", "d"], "b": ["c"]}, "a", {"c", "d"}))
    ['c', 'd']
    """
    found: set[str] = set()
    seen = {node}
    queue = deque(graph.get(node, ()))
    while queue:
        callee = queue.popleft()
        if callee in seen:
            continue
        seen.add(callee)
        if callee in observed:
            found.add(callee)
        else:
            queue.extend(graph.get(callee, ()))
    return found


def reachable_through(graph: Graph, start: str, passable: Collection[str]) -> set[str]:
    """Nodes ``start`` can reach on paths whose inner nodes are all in ``passable``.

    This is the walk of anomaly traversal: from the symptom, an anomaly can only have travelled
    up through callees that are themselves anomalous (or not observed at all).

    >>> sorted(reachable_through({"a": ["b", "x"], "b": ["c"], "x": ["y"]}, "a", {"b"}))
    ['a', 'b', 'c', 'x']
    """
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node != start and node not in passable:
            continue
        for callee in graph.get(node, ()):
            if callee not in seen:
                seen.add(callee)
                queue.append(callee)
    return seen
