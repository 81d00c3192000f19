"""Findings: which algorithm uses which origin column, and how (design §Algorithms).

A finding is (algorithm, origin column, use) and keeps that identity across scans, so a steward's review sticks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from connectors.algorithms import Algorithm
from lineage.parents import category_along
from lineage.propagate import USES, Reach, Step
from scanner.detect import Tag, declares


@dataclass(frozen=True)
class Finding:
    algorithm: str  # algorithm:ID
    column: str
    category: str
    use: str
    path: tuple[Step, ...]
    undeclared: bool

    @property
    def direct(self) -> bool:
        """Origin data itself, as opposed to a proxy for it (reported apart, never counted with it)."""
        return not self.category.startswith("proxy:")

    @property
    def id(self) -> str:
        return finding_id(self.algorithm, self.column, self.use)


def finding_id(algorithm: str, column: str, use: str) -> str:
    """Stable over rescans: the same triple always gets the same id."""
    return hashlib.sha256(f"{algorithm}\x1f{column}\x1f{use}".encode()).hexdigest()[:16]


def find(
    algorithms: Iterable[Algorithm],
    inputs: dict[str, list[str]],
    tags: dict[str, list[Tag]],
    reached: dict[str, list[Reach]],
    graph: nx.MultiDiGraph | None = None,
) -> list[Finding]:
    """One finding per (algorithm, origin column, use), with the shortest path among its inputs.

    ``inputs`` maps an algorithm id to the column identities it reads; ``tags`` holds the tagged columns' tags,
    direct before proxy, strongest first; ``reached`` is propagation's answer for every reached column. With the
    ``graph``, a birth country read through a parent join is reported as the parents' birth country.
    """
    findings: list[Finding] = []
    for algorithm in algorithms:
        best: dict[tuple[str, str], tuple[Step, ...]] = {}
        for node in inputs.get(algorithm.id, []):
            candidates = [(node, "feature", ())] if node in tags else []
            candidates += [(r.origin, r.use, r.path) for r in reached.get(node, []) if r.origin in tags]
            for origin, use, path in candidates:
                key = (origin, use)
                if key not in best or len(path) < len(best[key]):
                    best[key] = path
        best = _roots_only(best, reached)
        for (origin, use), path in best.items():
            category = tags[origin][0].category
            if graph is not None:
                category = category_along(graph, path, category)
            findings.append(Finding(algorithm.identity, origin, category, use, path,
                                    undeclared=not declares(algorithm.source_data, category)))
    return sorted(findings, key=lambda f: (f.algorithm, -USES.index(f.use), f.column))


def _roots_only(best: dict[tuple[str, str], tuple[Step, ...]],
                reached: dict[str, list[Reach]]) -> dict[tuple[str, str], tuple[Step, ...]]:
    """Drop findings whose origin column is itself a copy or derivative of another origin column this algorithm
    uses: a staging copy of nationality is a step on the way from the source, not a second finding."""
    origins = {origin for origin, _ in best}
    upstream = {origin: {r.origin for r in reached.get(origin, [])} & origins - {origin} for origin in origins}
    covered = {x for x, ups in upstream.items() if any(x not in upstream[y] for y in ups)}
    return {key: path for key, path in best.items() if key[0] not in covered}
