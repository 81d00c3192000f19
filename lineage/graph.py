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


_DOT_STYLE = {"copy": "solid", "derive": "solid", "aggregate": "bold", "filter": "dashed", "join": "dashed",
              "group": "dotted"}


def to_dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT, one cluster per table; value flows solid, selection (filter/join) dashed, group dotted."""
    def quoted(text: str) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph lineage {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica", fontsize=10];']
    by_table: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_table.setdefault(data.get("table", ""), []).append(node)
    for number, (table, nodes) in enumerate(sorted(by_table.items())):
        lines.append(f"  subgraph cluster_{number} {{ label={quoted(table)};")
        lines += [f"    {quoted(n)} [label={quoted(n.rsplit('.', 1)[-1])}];" for n in sorted(nodes)]
        lines.append("  }")
    for source, target, kind in sorted(graph.edges(keys=True)):
        lines.append(f"  {quoted(source)} -> {quoted(target)} [label={quoted(kind)}, style={_DOT_STYLE[kind]}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_graphml(graph: nx.MultiDiGraph) -> str:
    """GraphML for graph tools (yEd, Gephi, Cytoscape); edge kind, file and line as attributes."""
    clean = nx.MultiDiGraph()
    clean.add_nodes_from((n, {k: v for k, v in d.items() if v is not None}) for n, d in graph.nodes(data=True))
    clean.add_edges_from((u, v, k, {"kind": k, **{a: b for a, b in d.items() if b is not None}})
                         for u, v, k, d in graph.edges(keys=True, data=True))
    return "\n".join(nx.generate_graphml(clean)) + "\n"
