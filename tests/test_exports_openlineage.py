"""The OpenLineage export: every event validates against the OpenLineage JSON schemas (core 2-0-2 and the
column-lineage facet 1-2-0, stored under fixtures/exports/openlineage and resolved offline), each edge kind lands as
the transformation the design names, broken events are rejected, and the NDJSON file round-trips."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from reports.openlineage import UNRESOLVED, events, read_events, write_events

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
SCHEMAS = FIXTURES / "openlineage"
RUN_ID = "34b6ce58-7ed3-4589-a68c-60234091ec87"
TIME = "2026-11-29T08:14:03+00:00"
# The transformation each edge kind must export as (design §Lineage edges), written out here, not imported.
EXPECTED = {"copy": ("DIRECT", "IDENTITY"), "derive": ("DIRECT", "TRANSFORMATION"),
            "aggregate": ("DIRECT", "AGGREGATION"), "filter": ("INDIRECT", "FILTER"),
            "join": ("INDIRECT", "JOIN"), "group": ("INDIRECT", "GROUP_BY")}
# The facet schema leaves type and subtype free strings; OpenLineage documents these values, so check them here.
DOCUMENTED = {"DIRECT": {"IDENTITY", "TRANSFORMATION", "AGGREGATION"},
              "INDIRECT": {"JOIN", "GROUP_BY", "FILTER", "SORT", "WINDOW", "CONDITIONAL"}}


@pytest.fixture(scope="module")
def schemas() -> dict[str, Draft202012Validator]:
    """Validators for a RunEvent and for the columnLineage facet; the facet's $ref to the core resolves locally."""
    core = json.loads((SCHEMAS / "OpenLineage.json").read_text(encoding="utf-8"))
    facet = json.loads((SCHEMAS / "ColumnLineageDatasetFacet.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources([(core["$id"], Resource.from_contents(core)),
                                          (facet["$id"], Resource.from_contents(facet))])

    def validator(schema: dict) -> Draft202012Validator:
        return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)

    return {"core": validator(core),  # the top level: oneOf RunEvent, DatasetEvent, JobEvent
            "run_event": validator({"$ref": f"{core['$id']}#/$defs/RunEvent"}),
            "column_lineage": validator({"$ref": f"{facet['$id']}#/$defs/ColumnLineageDatasetFacet"})}


@pytest.fixture(scope="module")
def edges() -> list[dict]:
    return json.loads((FIXTURES / "edges.json").read_text(encoding="utf-8"))["edges"]


@pytest.fixture(scope="module")
def exported(edges) -> list[dict]:
    return events(edges, run_id=RUN_ID, event_time=TIME)


def problems(schemas: dict[str, Draft202012Validator], event: dict) -> list[str]:
    """Every schema error of an event: the event itself, then each output's columnLineage facet."""
    errors = [e.message for e in schemas["core"].iter_errors(event)]
    errors += [e.message for e in schemas["run_event"].iter_errors(event)]
    for output in event.get("outputs", []):
        facet = output.get("facets", {}).get("columnLineage")
        if facet is not None:
            errors += [e.message for e in schemas["column_lineage"].iter_errors(facet)]
    for output in event.get("outputs", []):
        for field in output.get("facets", {}).get("columnLineage", {}).get("fields", {}).values():
            for source in field["inputFields"]:
                for t in source.get("transformations", []):
                    if t.get("subtype") not in DOCUMENTED.get(t.get("type"), set()):
                        errors.append(f"undocumented transformation {t.get('type')}/{t.get('subtype')}")
    return errors


def output(exported: list[dict], target: str) -> tuple[dict, dict]:
    """(event, output dataset) that writes the column identity ``target``."""
    table, column = target.rsplit(".", 1)
    name = table.split(".", 1)[1]
    for event in exported:
        for out in event["outputs"]:
            if out["name"] == name and column in out["facets"]["columnLineage"]["fields"]:
                return event, out
    raise AssertionError(f"no output writes {target}")


def test_every_event_validates(schemas, exported):
    assert exported
    for event in exported:
        assert problems(schemas, event) == [], event["job"]["name"]


def test_one_event_per_job(exported, edges):
    names = [e["job"]["name"] for e in exported]
    files = {e["file"] for e in edges if e["file"]}
    # The edge without a file is a job named after its target table.
    assert sorted(names) == sorted(files | {"demo.main.v_herkomst"})
    assert all(e["eventType"] == "COMPLETE" and e["job"]["namespace"] == "originscan" for e in exported)
    run_ids = [e["run"]["runId"] for e in exported]
    assert len(set(run_ids)) == len(run_ids)  # jobs never share a run id...
    assert {e["run"]["facets"]["parent"]["run"]["runId"] for e in exported} == {RUN_ID}  # ...but share the scan
    assert events(edges, run_id=RUN_ID, event_time=TIME) == exported  # stable: same edges, same events


def test_each_kind_lands_as_its_transformation(exported, edges):
    seen = set()
    for edge in edges:
        if edge["source"].count(".") < 3 or edge["target"].count(".") < 3:
            continue  # unresolved names: see test_unresolved_names
        _, out = output(exported, edge["target"])
        source_table, source_field = edge["source"].rsplit(".", 1)
        inputs = out["facets"]["columnLineage"]["fields"][edge["target"].rsplit(".", 1)[1]]["inputFields"]
        match = [i for i in inputs if i["name"] == source_table.split(".", 1)[1] and i["field"] == source_field]
        assert len(match) == 1, edge
        assert match[0]["namespace"] == "originscan://demo"
        kinds = {(t["type"], t["subtype"]) for t in match[0]["transformations"]}
        assert EXPECTED[edge["kind"]] in kinds, edge
        assert all(t["masking"] is False for t in match[0]["transformations"])
        seen.add(edge["kind"])
    assert seen == set(EXPECTED)  # the fixture exercises every kind


def test_indirect_edges_also_listed_for_the_whole_dataset(exported):
    _, out = output(exported, "demo.main.stg_aanvrager.nationaliteit_code")
    facet = out["facets"]["columnLineage"]
    assert [(d["name"], d["field"], [t["subtype"] for t in d["transformations"]]) for d in facet["dataset"]] == [
        ("main.brp_nationaliteit", "bsn", ["JOIN"])]
    _, query = output(exported, "demo.query.risicoselectie_1.aanvraag_id")
    assert query["name"] == "query.risicoselectie_1"
    assert {(d["field"], d["transformations"][0]["subtype"]) for d in query["facets"]["columnLineage"]["dataset"]} == {
        ("nationaliteit_code", "FILTER"), ("bsn", "JOIN")}
    _, copied = output(exported, "demo.main.v_herkomst.geboorteland")
    assert "dataset" not in copied["facets"]["columnLineage"]  # copies only: nothing dataset-wide


def test_inputs_and_outputs_are_the_jobs_tables(exported):
    event, _ = output(exported, "demo.main.risico_kenmerken.uren_opvang")
    assert [i["name"] for i in event["inputs"]] == ["main.kinderopvang", "main.stg_aanvrager"]
    assert [o["name"] for o in event["outputs"]] == ["main.risico_kenmerken"]
    assert event["schemaURL"].endswith("/spec/2-0-2/OpenLineage.json#/$defs/RunEvent")
    facet = event["outputs"][0]["facets"]["columnLineage"]
    assert facet["_producer"] == "https://github.com/originscan/originscan"
    assert "/facets/1-2-0/ColumnLineageDatasetFacet.json" in facet["_schemaURL"]


def test_unresolved_names(schemas, exported):
    event = next(e for e in exported if e["job"]["name"] == "etl/90_legacy_export.sql")
    # A two-part name keeps its table in the unresolved namespace; a one-part name is skipped and counted.
    assert event["inputs"] == [{"namespace": UNRESOLVED, "name": "persoon"}]
    fields = event["outputs"][0]["facets"]["columnLineage"]["fields"]
    assert list(fields) == ["nat"]
    error = event["run"]["facets"]["extractionError"]
    assert (error["totalTasks"], error["failedTasks"]) == (2, 1)
    assert "'nat'" in error["errors"][0]["errorMessage"]
    assert problems(schemas, event) == []


def test_namespace_for(edges):
    named = events(edges, run_id=RUN_ID, event_time=TIME, namespace_for=lambda system: f"sqlite://{system}.db")
    assert {i["namespace"] for e in named for i in e["inputs"]} == {"sqlite://demo.db", UNRESOLVED}


def test_run_id_must_be_a_uuid(edges):
    with pytest.raises(ValueError):
        events(edges, run_id="scan-1", event_time=TIME)


def break_facet_producer(event: dict) -> None:
    del event["outputs"][0]["facets"]["columnLineage"]["_producer"]


def break_subtype(event: dict) -> None:
    field = next(iter(event["outputs"][0]["facets"]["columnLineage"]["fields"].values()))
    field["inputFields"][0]["transformations"][0]["subtype"] = "COPY"


def break_transformation_type(event: dict) -> None:
    field = next(iter(event["outputs"][0]["facets"]["columnLineage"]["fields"].values()))
    del field["inputFields"][0]["transformations"][0]["type"]


def break_run_id(event: dict) -> None:
    event["run"]["runId"] = "not-a-uuid"


def break_event_type(event: dict) -> None:
    event["eventType"] = "DONE"


def break_producer(event: dict) -> None:
    del event["producer"]


def break_event_time(event: dict) -> None:
    event["eventTime"] = "29-11-2026 08:14"  # checked as date-time only with jsonschema[format-nongpl]


def break_facet_schema_url(event: dict) -> None:
    event["run"]["facets"]["parent"]["_schemaURL"] = "not a uri"


@pytest.mark.parametrize("breaks", [break_facet_producer, break_subtype, break_transformation_type, break_run_id,
                                    break_event_type, break_producer, break_event_time, break_facet_schema_url])
def test_a_broken_event_fails(schemas, exported, breaks):
    """The validation can fail: each of these damages one thing the schemas (or the documented values) require."""
    event = copy.deepcopy(exported[0])
    assert problems(schemas, event) == []
    breaks(event)
    assert problems(schemas, event) != []


def test_ndjson_round_trip(tmp_path, exported):
    path = write_events(exported, tmp_path / "lineage.ndjson")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(exported)
    assert [json.loads(line) for line in lines] == exported
    assert read_events(path) == exported


def test_the_cli_exports_a_stored_scan_that_validates(schemas, tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--out", str(tmp_path)]).exit_code == 0
    target = tmp_path / "lineage.ndjson"
    result = runner.invoke(main, ["report", "openlineage", "--out", str(target),
                                  "--config", str(tmp_path / "estate" / "originscan.toml")])
    assert result.exit_code == 0, result.output
    stored = read_events(target)
    assert stored and all(problems(schemas, event) == [] for event in stored)
    datasets = {out["name"] for event in stored for out in event["outputs"]}
    assert {"main.stg_aanvrager", "main.risico_kenmerken"} <= datasets
    assert all(ds["namespace"] == "originscan://demo" for event in stored for ds in event["inputs"] + event["outputs"])
