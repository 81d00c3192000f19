"""The lineage picture: every finding's path from origin column to algorithm, as one inline SVG.

The union of the paths is laid out as a left-to-right layered graph (Sugiyama style): origin columns on the left,
the columns the data flows through in the middle, algorithms on the right. Boxes have a fixed size and spacing, so a
picture of 200 nodes is as large as it needs to be and scrolls rather than shrinks into unreadable text.

Every name drawn comes from a scanned database or a register, so it is escaped; the SVG carries no script, no event
attributes and no external reference, and styles itself with presentation attributes (the caller needs no CSS).
"""

from __future__ import annotations

import bisect
import html
import re

import networkx as nx

from lineage.propagate import USES

BOX_W, BOX_H = 200, 22  # a box fits MAX_LABEL characters of 11px text
MAX_LABEL = 28
LAYER_GAP = 90  # horizontal room between layers for the curves
# Vertical room between two boxes, a box and an edge passing through its layer, and two passing edges.
NODE_GAP, PASS_GAP, BUNDLE_GAP = 10, 8, 5
MARGIN = 16
FONT = 'font-family="system-ui, sans-serif" font-size="11"'
INK, LINE = "#1b1f23", "#98a2b3"

# Origin columns are filled by category; every proxy category shares one colour (they are counted apart anyway).
CATEGORY_FILL = {
    "nationality": "#fee4e2", "dual_nationality": "#fce7f6", "birth_country": "#fef0c7",
    "parents_birth_country": "#fdead7", "birthplace": "#e3f5d0", "migration_background": "#d1e9ff",
    "ethnicity": "#ebe9fe", "proxy": "#eaecf0", "other": "#f2f4f7",
}
ALGORITHM_FILL = "#154273"

# Edge styles: colour, width, dash. Colours follow report.html's use badges: red is selection, which matters most.
_GREY, _SEL, _AGG, _DER, _FEA = "#667085", "#b42318", "#7a4d00", "#6941c6", "#175cd3"
KIND_STYLE = {
    "copy": (_GREY, 1.4, ""), "derive": (_GREY, 1.4, ""),
    "aggregate": (_AGG, 1.4, "6 4"), "group": (_AGG, 1.4, "6 4"),
    "filter": (_SEL, 2.0, ""), "join": (_SEL, 2.0, ""),
}
OTHER_KIND = (_GREY, 1.2, "2 3")
USE_STYLE = {
    "feature": (_FEA, 2.2, ""), "derived_feature": (_DER, 2.2, ""),
    "aggregate": (_AGG, 2.2, "6 4"), "selection": (_SEL, 2.6, ""),
}
# Where two findings cross the same edge with different kinds, the most serious kind is drawn.
_KIND_RANK = {"copy": 0, "derive": 1, "aggregate": 2, "group": 2, "filter": 3, "join": 3}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Node = tuple  # ("column", identity) | ("algorithm", id) | ("pass", target node, layer): where edges cross a layer


def svg(findings: list[dict], algorithms: list[dict] | None = None, *, direct_only: bool = True) -> str:
    """The lineage picture of ``findings`` as an ``<svg>`` element, or ``""`` when there is no path to draw.

    ``algorithms`` (the document's list) gives algorithm names; ``direct_only`` leaves proxy findings out. The
    empty string lets the caller say "no origin data reaches an algorithm" in a sentence rather than a blank picture.
    """
    chosen = [f for f in findings if f.get("direct") or not direct_only]
    if not chosen:
        return ""
    names = {a["id"]: a["name"] for a in algorithms or [] if a.get("name")}
    graph = _graph(chosen)
    back = _back_edges(graph)
    layer = _layers(graph, back)
    layers, up, down, chains = _proper(graph, back, layer)
    _order(layers, up, down)
    y = _place(layers, up, down)
    return _draw(graph, back, layer, layers, chains, y, names)


def _graph(findings: list[dict]) -> nx.DiGraph:
    """The union of the findings' paths, each column and algorithm once, each edge with its most serious kind."""
    graph = nx.DiGraph()
    for f in sorted(findings, key=lambda f: (f["algorithm"], f["column"], f["use"], f.get("id", ""))):
        origin = ("column", f["column"])
        _add_node(graph, origin, "origin", f.get("category") or "")
        last = origin
        for step in f.get("path") or []:
            source, target = ("column", step["from"]), ("column", step["to"])
            _add_node(graph, source, "column", "")
            _add_node(graph, target, "column", "")
            rank = _KIND_RANK.get(step["kind"], -1)
            if source != target and (not graph.has_edge(source, target) or graph.edges[source, target]["rank"] < rank):
                graph.add_edge(source, target, kind=step["kind"], rank=rank, where=_where(step))
            last = target
        algorithm = ("algorithm", f["algorithm"])
        _add_node(graph, algorithm, "algorithm", "")
        rank = USES.index(f["use"]) if f["use"] in USES else -1
        if not graph.has_edge(last, algorithm) or graph.edges[last, algorithm]["rank"] < rank:
            graph.add_edge(last, algorithm, kind=f["use"], rank=rank, where="")
    return graph


def _add_node(graph: nx.DiGraph, node: Node, role: str, category: str) -> None:
    """Add or upgrade a node: a column that is some finding's origin is drawn as an origin, whatever else it is."""
    if node not in graph:
        graph.add_node(node, role=role, category=category)
    elif role == "origin":
        data = graph.nodes[node]
        if data["role"] != "origin" or _category_order(category) < _category_order(data["category"]):
            data.update(role="origin", category=category)


def _category_order(category: str) -> tuple[bool, str]:
    return category.startswith("proxy:"), category  # a direct category names the column better than a proxy


def _where(step: dict) -> str:
    return f'{step["file"]}:{step.get("line", 0)}' if step.get("file") else ""


def _back_edges(graph: nx.DiGraph) -> set[tuple[Node, Node]]:
    """Edges that close a cycle, found by depth-first search from the sources, so the rest is acyclic."""
    roots = sorted(n for n in graph if graph.in_degree(n) == 0) + sorted(graph)
    state: dict[Node, int] = {}  # 1: on the stack, 2: done
    back = set()
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(graph.successors(root))))]
        while stack:
            node, rest = stack[-1]
            for nxt in rest:
                if state.get(nxt) == 1:
                    back.add((node, nxt))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(sorted(graph.successors(nxt)))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back


def _layers(graph: nx.DiGraph, back: set) -> dict[Node, int]:
    """Longest path from the sources; algorithms all in one last layer, so they line up on the right."""
    dag = nx.DiGraph()
    dag.add_nodes_from(graph)
    dag.add_edges_from(e for e in graph.edges if e not in back)
    layer: dict[Node, int] = {}
    for node in nx.lexicographical_topological_sort(dag):
        layer[node] = max((layer[p] + 1 for p in dag.predecessors(node)), default=0)
    last = max((n for node, n in layer.items() if node[0] == "column"), default=-1) + 1
    for node in layer:
        if node[0] == "algorithm":
            layer[node] = last
    return layer


def _proper(graph: nx.DiGraph, back: set, layer: dict[Node, int]):
    """The layers with a pass-through point for each layer a long edge crosses, so edges get room of their own."""
    layers: list[list[Node]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in sorted(graph):
        layers[layer[node]].append(node)
    up: dict[Node, list[Node]] = {n: [] for n in graph}
    down: dict[Node, list[Node]] = {n: [] for n in graph}
    chains: dict[tuple[Node, Node], list[Node]] = {}
    for u, v in sorted(graph.edges):
        if (u, v) in back:
            continue
        # Long edges into the same node share their pass-through points, so they arrive as one bundle rather than
        # as parallel lines that fill the picture (most long edges end at an algorithm).
        chain = [u] + [("pass", v, i) for i in range(layer[u] + 1, layer[v])] + [v]
        for point in chain[1:-1]:
            if point not in up:
                layers[point[2]].append(point)
                up[point], down[point] = [], []
        for a, b in zip(chain, chain[1:]):
            if b not in down[a]:
                down[a].append(b)
                up[b].append(a)
        chains[(u, v)] = chain
    return layers, up, down, chains


def _order(layers: list[list[Node]], up: dict, down: dict, sweeps: int = 8) -> None:
    """Barycenter sweeps, down and up in turn, keeping the order with the fewest crossings (in place)."""
    pos = {n: i for layer in layers for i, n in enumerate(layer)}
    best, best_crossings = [list(layer) for layer in layers], _crossings(layers, down, pos)
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        neighbours = up if downward else down
        for i in indices:
            def barycenter(n: Node) -> tuple[float, int]:
                near = neighbours[n]
                return (sum(pos[m] for m in near) / len(near) if near else pos[n]), pos[n]
            layers[i].sort(key=barycenter)
            pos.update((n, k) for k, n in enumerate(layers[i]))
        crossings = _crossings(layers, down, pos)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
    layers[:] = best


def _crossings(layers: list[list[Node]], down: dict, pos: dict) -> int:
    """Edge crossings between adjacent layers: inversions of the targets' positions in source order."""
    total = 0
    for layer in layers[:-1]:
        seen: list[int] = []
        for _, target in sorted((pos[u], pos[v]) for u in layer for v in down[u]):
            total += len(seen) - bisect.bisect_right(seen, target)
            bisect.insort(seen, target)
    return total


def _place(layers: list[list[Node]], up: dict, down: dict, rounds: int = 4) -> dict[Node, float]:
    """Vertical centres: each node as near its neighbours' mean as the order and spacing allow."""
    height = {n: (0 if n[0] == "pass" else BOX_H) for layer in layers for n in layer}
    offsets = []
    for layer in layers:
        offset, at = [0.0], 0.0
        for a, b in zip(layer, layer[1:]):
            boxes = bool(height[a]) + bool(height[b])
            at += (height[a] + height[b]) / 2 + (BUNDLE_GAP, PASS_GAP, NODE_GAP)[boxes]
            offset.append(at)
        offsets.append(offset)
    y = {n: offsets[i][k] for i, layer in enumerate(layers) for k, n in enumerate(layer)}
    for _ in range(rounds):
        for indices, neighbours in ((range(1, len(layers)), up), (range(len(layers) - 2, -1, -1), down)):
            for i in indices:
                wanted = [sum(y[m] for m in neighbours[n]) / len(neighbours[n]) if neighbours[n] else y[n]
                          for n in layers[i]]
                y.update(zip(layers[i], _project(wanted, offsets[i])))
    top = min(y[n] - height[n] / 2 for n in y)
    return {n: v - top for n, v in y.items()}


def _project(wanted: list[float], offset: list[float]) -> list[float]:
    """The positions nearest ``wanted`` (least squares) that keep the order and spacing ``offset`` gives.

    With y[k] = p[k] + offset[k] the spacing constraints become p non-decreasing: isotonic regression, pool adjacent
    violators."""
    blocks: list[list[float]] = []  # [sum, count]
    for w, o in zip(wanted, offset):
        blocks.append([w - o, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    out = []
    for total, count in blocks:
        out.extend([total / count] * int(count))
    return [p + o for p, o in zip(out, offset)]


def _draw(graph: nx.DiGraph, back: set, layer: dict, layers: list[list[Node]], chains: dict, y: dict,
          names: dict[str, str]) -> str:
    """The picture: legend, layer headings, edges (under the boxes), then the boxes."""
    legend, legend_w, legend_h = _legend(graph)
    top = MARGIN + legend_h + 22  # room for the layer headings
    x_of = [MARGIN + i * (BOX_W + LAYER_GAP) for i in range(len(layers))]
    width = round(max(x_of[-1] + BOX_W + MARGIN, legend_w + 2 * MARGIN))
    height = round(top + max(y[n] + BOX_H / 2 for n in y) + MARGIN)
    roles = [graph.nodes[n]["role"] for n in graph]
    summary = (f"Lineage of origin data: {roles.count('origin')} origin columns reach {roles.count('algorithm')} "
               f"algorithms through {roles.count('column')} other columns")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{summary}" class="lineage">'
             f"<title>{summary}</title>", _markers(), legend,
             f'<text x="{x_of[0]}" y="{top - 10}" {FONT} fill="{INK}" font-weight="600">origin columns</text>',
             f'<text x="{x_of[-1]}" y="{top - 10}" {FONT} fill="{INK}" font-weight="600">algorithms</text>']

    def right(n: Node) -> tuple[float, float]:
        return x_of[layer[n]] + BOX_W, top + y[n]

    def left(n: Node) -> tuple[float, float]:
        return x_of[layer[n]], top + y[n]

    # The most serious edges last, so they are on top where edges share a bundle.
    for u, v in sorted(graph.edges, key=lambda e: (graph.edges[e]["rank"], e)):
        data = graph.edges[u, v]
        if v[0] == "algorithm":
            colour, stroke, dash = USE_STYLE.get(data["kind"], OTHER_KIND)
        else:
            colour, stroke, dash = KIND_STYLE.get(data["kind"], OTHER_KIND)
        if (u, v) in back:
            d = _curve([right(u), left(v)], loop=True)
        else:
            # Through each crossed layer the edge runs straight across the box column, in the slot kept for it.
            points = [right(u)]
            for point in chains[(u, v)][1:-1]:
                x, at = x_of[point[2]], top + y[point]
                points += [(x, at), (x + BOX_W, at)]
            points.append(left(v))
            d = _curve(points)
        where = f', {data["where"]}' if data["where"] else ""
        how = f'used as {data["kind"]}' if v[0] == "algorithm" else data["kind"]
        tip = f'{_name(u, names)} → {_name(v, names)}: {how}{where}'
        parts.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{stroke}"'
                     + (f' stroke-dasharray="{dash}"' if dash else "")
                     + f' marker-end="url(#osl-arrow-{colour[1:]})"><title>{_esc(tip)}</title></path>')
    for n in sorted(graph):
        x, at = left(n)
        parts.append(_box(n, graph.nodes[n], x, at - BOX_H / 2, names))
    parts.append("</svg>")
    return "".join(parts)


def _curve(points: list[tuple[float, float]], loop: bool = False) -> str:
    """A path through ``points``: cubic Béziers with horizontal tangents between layers, straight lines within."""
    (x, y), rest = points[0], points[1:]
    d = [f"M{_n(x)} {_n(y)}"]
    for i, (nx_, ny) in enumerate(rest):
        if i % 2 == 1:  # odd hops run inside a crossed layer
            d.append(f"L{_n(nx_)} {_n(ny)}")
        else:
            bend = 60 if loop else (nx_ - x) / 2
            d.append(f"C{_n(x + bend)} {_n(y)} {_n(nx_ - bend)} {_n(ny)} {_n(nx_)} {_n(ny)}")
        x, y = nx_, ny
    return "".join(d)


def _box(node: Node, data: dict, x: float, y: float, names: dict[str, str]) -> str:
    """One node: a box, its short label, and the full identity as a hover title."""
    role = data["role"]
    if role == "algorithm":
        fill, stroke, ink, rx = ALGORITHM_FILL, ALGORITHM_FILL, "#ffffff", 11
        label, tip = _name(node, names), f"{_name(node, names)} ({node[1]})"
    else:
        fill = CATEGORY_FILL[_palette_key(data["category"])] if role == "origin" else "#ffffff"
        stroke, ink, rx = LINE, INK, 3
        label = ".".join(node[1].split(".")[-2:])
        tip = node[1] + (f' (origin: {data["category"]})' if role == "origin" else "")
    if len(label) > MAX_LABEL:
        label = label[:MAX_LABEL - 1] + "…"
    return (f'<g class="osl-node osl-{role}"><title>{_esc(tip)}</title>'
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{BOX_W}" height="{BOX_H}" rx="{rx}" fill="{fill}" '
            f'stroke="{stroke}"/><text x="{_n(x + 6)}" y="{_n(y + BOX_H / 2 + 4)}" {FONT} fill="{ink}">'
            f"{_esc(label)}</text></g>")


def _legend(graph: nx.DiGraph) -> tuple[str, float, float]:
    """Two rows at the top: what the box colours mean, then what the line styles mean. Returns svg, width, height."""
    present = sorted({_palette_key(d["category"]) for _, d in graph.nodes(data=True) if d["role"] == "origin"},
                     key=list(CATEGORY_FILL).index)
    boxes = [(f"origin: {key}", CATEGORY_FILL[key], LINE) for key in present]
    boxes += [("other column", "#ffffff", LINE), ("algorithm", ALGORITHM_FILL, ALGORITHM_FILL)]
    lines = [("copy / derive", KIND_STYLE["copy"]), ("aggregate / group", KIND_STYLE["group"]),
             ("filter / join", KIND_STYLE["filter"])]
    lines += [(f"used as {use.replace('_', ' ')}", USE_STYLE[use]) for use in reversed(USES)]
    parts, widest = [], 0.0
    x, row = MARGIN, MARGIN + 10
    for label, fill, stroke in boxes:
        parts.append(f'<rect x="{x}" y="{row - 9}" width="16" height="12" rx="2" fill="{fill}" stroke="{stroke}"/>'
                     f'<text x="{x + 22}" y="{row + 1}" {FONT} fill="{INK}">{_esc(label)}</text>')
        x += 22 + len(label) * 6.5 + 18
    widest, x, row = x, MARGIN, row + 20
    for label, (colour, stroke, dash) in lines:
        parts.append(f'<line x1="{_n(x)}" y1="{row - 3}" x2="{_n(x + 28)}" y2="{row - 3}" stroke="{colour}" '
                     f'stroke-width="{stroke}"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
                     f'<text x="{_n(x + 34)}" y="{row + 1}" {FONT} fill="{INK}">{_esc(label)}</text>')
        x += 34 + len(label) * 6.5 + 18
    return "".join(parts), max(widest, x) - MARGIN, row + 8 - MARGIN


def _markers() -> str:
    """One arrowhead per edge colour (a marker cannot take its colour from the line in every renderer)."""
    colours = sorted({style[0] for style in [*KIND_STYLE.values(), *USE_STYLE.values(), OTHER_KIND]})
    arrows = "".join(f'<marker id="osl-arrow-{c[1:]}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" '
                     f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
                     f'<path d="M0 0L8 4L0 8z" fill="{c}"/></marker>' for c in colours)
    return f"<defs>{arrows}</defs>"


def _palette_key(category: str) -> str:
    if category.startswith("proxy:"):
        return "proxy"
    return category if category in CATEGORY_FILL else "other"


def _name(node: Node, names: dict[str, str]) -> str:
    if node[0] == "algorithm":
        return names.get(node[1]) or node[1].removeprefix("algorithm:")
    return node[1]


def _esc(text: str) -> str:
    """Escaped for text and attributes; characters XML cannot hold at all become U+FFFD."""
    return html.escape(_XML_INVALID.sub("\ufffd", str(text)), quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
