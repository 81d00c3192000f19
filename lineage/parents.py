"""A person's birth country read through a join to their parent's row is the parents' birth country.

BRP-shaped data keeps parents as persons: ``persoon k JOIN persoon o ON o.bsn = k.ouder1_bsn``. Column lineage
sees ``persoon.geboorteland`` flow into the target either way, so the join key decides: when the statement joins
on a parent reference (``ouder``, ``moeder``, ``vader``, ``parent``, ``mother``, ``father``) of the same table, a
birth-country value it copies is the parent's. If the statement also copies the person's own birth country (the
same source column into more than one target), only targets whose name says parent are relabelled.
"""

from __future__ import annotations

import re

import networkx as nx

from lineage.propagate import Step

PARENT = re.compile(r"ouder|moeder|vader|parent|mother|father|mdr|vdr", re.IGNORECASE)
RELABEL = {"birth_country": "parents_birth_country"}


def category_along(graph: nx.MultiDiGraph, path: tuple[Step, ...], category: str) -> str:
    """``category`` as it arrives at the end of ``path``: relabelled where a step reads through a parent join."""
    if category not in RELABEL:
        return category
    return RELABEL[category] if any(_through_parent(graph, step) for step in path) else category


def _through_parent(graph: nx.MultiDiGraph, step: Step) -> bool:
    if step.kind not in ("copy", "derive"):
        return False
    table = step.source.rsplit(".", 1)[0]
    keys = [source for source, _, kind, data in graph.in_edges(step.target, keys=True, data=True)
            if kind == "join" and data.get("file") == step.file and data.get("line") == step.line]
    if not any(key.rsplit(".", 1)[0] == table and PARENT.search(key.rsplit(".", 1)[-1]) for key in keys):
        return False
    siblings = {target for _, target, kind, data in graph.out_edges(step.source, keys=True, data=True)
                if kind in ("copy", "derive") and data.get("file") == step.file and data.get("line") == step.line}
    return len(siblings) == 1 or bool(PARENT.search(step.target.rsplit(".", 1)[-1]))
