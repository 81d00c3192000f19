"""Origin tags along the lineage graph, with the shortest path that explains each arrival (design §Origin tags).

A path's *use* is the most serious role its edges give the origin column:
``selection`` (a filter or join edge: it decides who is in) > ``aggregate`` (a group or aggregate edge, or a
group-level output) > ``derived_feature`` (a derive edge) > ``feature`` (copies only). The search runs over
(column, use) states, so every use by which a column reaches a node is found, each with its shortest path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

USES = ("feature", "derived_feature", "aggregate", "selection")
_HOP = {"copy": 0, "derive": 1, "aggregate": 2, "group": 2, "filter": 3, "join": 3}
# How a reached column relates to the origin data, by use: it carries it, or its rows were chosen by it.
RELATION = {"feature": "carries", "derived_feature": "carries", "aggregate": "grouped_by", "selection": "selected_by"}


@dataclass(frozen=True)
class Step:
    source: str
    target: str
    kind: str
    file: str | None
    line: int

    def to_json(self) -> dict:
        return {"from": self.source, "to": self.target, "kind": self.kind, "file": self.file, "line": self.line}


@dataclass(frozen=True)
class Reach:
    """``origin`` reaches ``node`` in role ``use`` along ``path``."""

    origin: str
    node: str
    use: str
    path: tuple[Step, ...]


def hop_rank(kind: str, grouped: bool = False) -> int:
    rank = _HOP[kind]
    return max(rank, 2) if grouped else rank


def reach(graph: nx.MultiDiGraph, origin: str) -> list[Reach]:
    """Every (node, use) that ``origin`` reaches, each with one shortest path (breadth first)."""
    if origin not in graph:
        return []
    parents: dict[tuple[str, int], tuple[tuple[str, int], Step] | None] = {(origin, 0): None}
    queue = deque([(origin, 0)])
    while queue:
        state = queue.popleft()
        node, rank = state
        for _, target, kind, data in graph.out_edges(node, keys=True, data=True):
            nxt = (target, max(rank, hop_rank(kind, data.get("grouped", False))))
            if nxt not in parents:
                parents[nxt] = (state, Step(node, target, kind, data.get("file"), data.get("line", 0)))
                queue.append(nxt)
    out = []
    for (node, rank), link in parents.items():
        if link is None:
            continue
        steps = []
        while link is not None:
            state, step = link
            steps.append(step)
            link = parents[state]
        out.append(Reach(origin, node, USES[rank], tuple(reversed(steps))))
    return out


def propagate(graph: nx.MultiDiGraph, origins: Iterable[str]) -> dict[str, list[Reach]]:
    """For each node reached from any origin column: how (use) and along which shortest path."""
    reached: dict[str, list[Reach]] = {}
    for origin in origins:
        for item in reach(graph, origin):
            reached.setdefault(item.node, []).append(item)
    return reached
