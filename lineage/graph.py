"""The column-level lineage graph: nodes are column identities, edges are statements' column references.

A ``networkx.MultiDiGraph`` keyed by edge kind, so a column that is both copied and filtered on by one statement
keeps both edges. The first occurrence of an edge (file, line) is kept as its provenance.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from lineage.extract import Edge
from lineage.names import split_column_id


def build_graph(edges: Iterable[Edge], columns: Iterable[str] = ()) -> nx.MultiDiGraph:
    """Graph of ``edges``; ``columns`` (inventoried column identities) are nodes even when no code touches them."""
    graph = nx.MultiDiGraph()
    for column in columns:
        graph.add_node(column, table=split_column_id(column)[0], inventoried=True)
    for edge in edges:
        for node in (edge.source, edge.target):
            if node not in graph:
                graph.add_node(node, table=split_column_id(node)[0], inventoried=False)
        if not graph.has_edge(edge.source, edge.target, key=edge.kind):
            graph.add_edge(edge.source, edge.target, key=edge.kind, file=edge.file, line=edge.line,
                           grouped=edge.grouped, unresolved=edge.unresolved)
    return graph


def table_columns(graph: nx.MultiDiGraph, table: str) -> list[str]:
    """Column nodes of one table identity."""
    return sorted(n for n, data in graph.nodes(data=True) if data.get("table") == table)


def tables(graph: nx.MultiDiGraph) -> set[str]:
    return {data["table"] for _, data in graph.nodes(data=True)}
