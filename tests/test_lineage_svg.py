"""The lineage picture: well-formed, laid out left to right without overlaps, deterministic, and inert whatever the
scanned databases call their columns."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from reports.lineage_svg import BOX_H, svg
from scanner.cli import main

HOSTILE = "<script>alert(1)</script>"
SVG_NS = "{http://www.w3.org/2000/svg}"


def step(source: str, target: str, kind: str = "copy") -> dict:
    return {"from": source, "to": target, "kind": kind, "file": "etl/x.sql", "line": 1}


def finding(algorithm: str, column: str, path: list[dict], use: str = "feature", category: str = "nationality",
            direct: bool = True) -> dict:
    return {"id": f"{algorithm}|{column}|{use}", "algorithm": f"algorithm:{algorithm}", "column": column,
            "category": category, "direct": direct, "use": use, "path": path, "review": {"status": "unreviewed"}}


def nodes(picture: str) -> dict[str, tuple[float, float, str]]:
    """Each drawn node by its full identity (its hover title): x, y of its box and its role."""
    out = {}
    for g in ET.fromstring(picture).iter(f"{SVG_NS}g"):
        if "osl-node" not in g.get("class", ""):
            continue
        rect = g.find(f"{SVG_NS}rect")
        title = g.find(f"{SVG_NS}title").text
        key = title.split(" (")[0] if "osl-algorithm" not in g.get("class") else title.rsplit("(", 1)[1][:-1]
        out[key] = (float(rect.get("x")), float(rect.get("y")), g.get("class").split()[-1].removeprefix("osl-"))
    return out


def distinct_nodes(findings: list[dict]) -> set[str]:
    found = set()
    for f in findings:
        found |= {f["column"], f["algorithm"]}
        found |= {s[end] for s in f["path"] for end in ("from", "to")}
    return found


def random_findings(seed: int = 7, count: int = 150) -> list[dict]:
    """Paths through a seeded random DAG: 40 origin columns, 140 columns in four tiers, 20 algorithms (200 nodes).

    Each path walks from an origin through some of the tiers (skipping some, so edges span layers); columns are
    taken from each tier in a shuffled round, so every one of them is used."""
    rng = random.Random(seed)
    tiers = [[f"db.s.t{tier}_{i // 5}.c{i}" for i in range(size)] for tier, size in enumerate([40, 45, 40, 35, 20])]
    rounds = [[] for _ in tiers]

    def take(tier: int) -> str:
        if not rounds[tier]:
            rounds[tier] = rng.sample(tiers[tier], len(tiers[tier]))
        return rounds[tier].pop()

    kinds = ["copy", "derive", "aggregate", "group", "filter", "join"]
    uses = ["feature", "derived_feature", "aggregate", "selection"]
    out = []
    for n in range(count):
        column = take(0)
        path, at = [], column
        for tier in range(1, rng.randint(1, 4) + 1):
            if rng.random() < 0.3:
                continue  # skip a tier: edges that span layers
            nxt = take(tier)
            path.append(step(at, nxt, rng.choice(kinds)))
            at = nxt
        out.append(finding(f"a{n % 20}", column, path, rng.choice(uses),
                           rng.choice(["nationality", "birth_country", "ethnicity"])) | {"id": str(n)})
    return out


def test_layout_left_to_right():
    findings = [
        finding("model", "db.s.brp.nationaliteit", [step("db.s.brp.nationaliteit", "db.s.stg.nat"),
                                                    step("db.s.stg.nat", "db.s.kenmerk.niet_nl", "derive")]),
        finding("selectie", "db.s.brp.nationaliteit", [step("db.s.brp.nationaliteit", "db.s.sel.aanvraag", "filter")],
                use="selection"),
        finding("dashboard", "db.s.brp.geboorteland", [], use="aggregate", category="birth_country"),
    ]
    picture = svg(findings, [{"id": "algorithm:model", "name": "Risicomodel"}])
    drawn = nodes(picture)
    assert set(drawn) == distinct_nodes(findings)
    origin_x = drawn["db.s.brp.nationaliteit"][0]
    assert origin_x < drawn["db.s.stg.nat"][0] < drawn["db.s.kenmerk.niet_nl"][0]
    assert origin_x < drawn["db.s.sel.aanvraag"][0]
    algorithm_x = {x for x, _, role in drawn.values() if role == "algorithm"}
    assert len(algorithm_x) == 1 and min(algorithm_x) > max(x for x, _, role in drawn.values() if role != "algorithm")
    assert "Risicomodel" in picture and ">selectie<" in picture  # named from the register, else by id
    root = ET.fromstring(picture)
    assert root.get("role") == "img" and root.get("aria-label") and root.find(f"{SVG_NS}title") is not None
    assert root.get("viewBox") == f'0 0 {root.get("width")} {root.get("height")}'


def test_empty_and_proxies():
    proxy = finding("model", "db.s.adres.postcode", [], category="proxy:neighbourhood", direct=False)
    assert svg([]) == ""
    assert svg([proxy]) == ""  # proxies only when asked for
    assert "db.s.adres.postcode" in svg([proxy], direct_only=False)


def test_hostile_names_stay_text():
    column = f"db.s.t.{HOSTILE}"
    middle = f'db.s.x" onload="alert(1).{HOSTILE}'
    findings = [finding(HOSTILE, column, [step(column, middle, HOSTILE)], use=HOSTILE, category=HOSTILE)]
    picture = svg(findings, [{"id": f"algorithm:{HOSTILE}", "name": HOSTILE}], direct_only=False)
    assert HOSTILE not in picture and "&lt;script&gt;" in picture
    root = ET.fromstring(picture)
    for element in root.iter():
        assert element.tag.removeprefix(SVG_NS) != "script"
        assert not any(name.lower().startswith("on") for name in element.attrib)
        assert not any("href" in name for name in element.attrib)


def test_cycles_and_self_loops():
    findings = [finding("m", "db.s.a.x", [step("db.s.a.x", "db.s.b.y"), step("db.s.b.y", "db.s.c.z"),
                                          step("db.s.c.z", "db.s.b.y"), step("db.s.b.y", "db.s.b.y")])]
    drawn = nodes(svg(findings))
    assert set(drawn) == distinct_nodes(findings)
    assert drawn["db.s.a.x"][0] < drawn["db.s.b.y"][0] < drawn["algorithm:m"][0]


def test_two_hundred_nodes_readable_and_deterministic():
    findings = random_findings()
    picture = svg(findings)
    assert picture == svg(list(reversed(findings)))  # input order does not matter either
    drawn = nodes(picture)
    assert set(drawn) == distinct_nodes(findings) and 190 <= len(drawn) <= 200
    columns: dict[float, list[float]] = {}
    for x, y, _ in drawn.values():
        columns.setdefault(x, []).append(y)
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= BOX_H + 5 for a, b in zip(ys, ys[1:]))
    root = ET.fromstring(picture)
    assert float(root.get("height")) >= max(y for _, y, _ in drawn.values()) + BOX_H  # it scrolls, it does not shrink
    for f in findings:
        origin, algorithm = drawn[f["column"]], drawn[f["algorithm"]]
        assert origin[0] < algorithm[0]
        for s in f["path"]:
            assert drawn[s["from"]][0] < drawn[s["to"]][0] < algorithm[0]


@pytest.fixture(scope="module")
def demo_document(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "findings.json").read_text())


def test_demo(demo_document):
    picture = svg(demo_document["findings"], demo_document["algorithms"])
    drawn = nodes(picture)
    direct = [f for f in demo_document["findings"] if f["direct"]]
    assert direct and set(drawn) == distinct_nodes(direct)
    names = {a["id"]: a["name"] for a in demo_document["algorithms"]}
    for f in direct:
        assert drawn[f["column"]][2] == "origin" and drawn[f["column"]][0] == min(x for x, _, _ in drawn.values())
        assert names[f["algorithm"]][:20] in picture
    assert picture == svg(demo_document["findings"], demo_document["algorithms"])
