"""A person's birth country read through a join to their parent's row is the parents' birth country.

BRP-shaped data keeps parents as persons: ``persoon k JOIN persoon o ON o.bsn = k.ouder1_bsn``. Column lineage
sees ``persoon.geboorteland`` flow into the target whether it is read through ``k`` or ``o`` (both are the same
column identity), so a birth country is relabelled only when both say parent: the statement joins the same table
on a parent reference (``ouder``, ``moeder``, ``vader``, ``parent``, ``mother``, ``father``), and the target it
fills is named for a parent (``geboorteland_ouder1``, ``cob_mother``). A target named neutrally keeps
birth_country: it may be the person's own, and telling the aliases apart needs alias-level lineage.
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
    joined_on_parent = any(key.rsplit(".", 1)[0] == table and PARENT.search(key.rsplit(".", 1)[-1]) for key in keys)
    return joined_on_parent and bool(PARENT.search(step.target.rsplit(".", 1)[-1]))
