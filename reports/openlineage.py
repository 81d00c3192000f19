"""Lineage edges as OpenLineage run events, so catalogues (Marquez, DataHub, OpenMetadata...) can show them.

One ``COMPLETE`` RunEvent per job. A job is one source file (``edge["file"]``: an ETL script, a view body, an
algorithm's query file); an edge without a file becomes a job named after its target table. Each event lists the
tables the job reads (inputs) and writes (outputs); every output carries the ``columnLineage`` facet (1-2-0) that maps
each written column to the columns it came from, with the transformation our edge kind stands for (design §Lineage
edges). Core spec 2-0-2.

Datasets: the namespace is the SYSTEM, by default written ``originscan://SYSTEM`` (the scan knows a source's URL,
but a URL can hold a user name or host that should not leave the building, and the SYSTEM is the name users
configured); pass ``namespace_for`` to map a SYSTEM to e.g. ``postgres://db.example:5432``. The dataset name is
``SCHEMA.TABLE``; a query that writes no table is the dataset ``query.<file-stem>_<n>``. A name that could not be
resolved to SYSTEM.SCHEMA.TABLE.COLUMN keeps what it has (all but the last part) in the namespace
``originscan://unresolved``; a bare one-part name has no table at all and is skipped, counted in the job's
``extractionError`` run facet.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

CORE_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
COLUMN_LINEAGE_SCHEMA = ("https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json"
                         "#/$defs/ColumnLineageDatasetFacet")
PARENT_SCHEMA = "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet"
EXTRACTION_ERROR_SCHEMA = ("https://openlineage.io/spec/facets/1-1-2/ExtractionErrorRunFacet.json"
                           "#/$defs/ExtractionErrorRunFacet")
UNRESOLVED = "originscan://unresolved"

# Our edge kinds as OpenLineage transformations (type, subtype): design §Lineage edges.
TRANSFORMATION = {
    "copy": ("DIRECT", "IDENTITY"),
    "derive": ("DIRECT", "TRANSFORMATION"),
    "aggregate": ("DIRECT", "AGGREGATION"),
    "filter": ("INDIRECT", "FILTER"),
    "join": ("INDIRECT", "JOIN"),
    "group": ("INDIRECT", "GROUP_BY"),
}


def default_namespace(system: str) -> str:
    """``originscan://SYSTEM``: the configured source name, never its URL."""
    return f"originscan://{system}"


def _split(identity: str, namespace_for: Callable[[str], str]) -> tuple[str, str, str] | None:
    """(namespace, dataset name, field) of a column identity, or None for a name with no table part."""
    parts = identity.split(".")
    if len(parts) < 2:
        return None
    if len(parts) >= 4:  # SYSTEM.SCHEMA.TABLE.COLUMN (a quoted table name may hold dots: they stay in the name)
        return namespace_for(parts[0]), ".".join(parts[1:-1]), parts[-1]
    # Unresolved (TABLE.COLUMN or SCHEMA.TABLE.COLUMN as written): no trustworthy SYSTEM, so no source namespace.
    return UNRESOLVED, ".".join(parts[:-1]), parts[-1]


def _job_name(edge: dict) -> str:
    if edge.get("file"):
        return str(edge["file"])
    return edge["target"].rsplit(".", 1)[0] if "." in edge["target"] else edge["target"]


def _transformation(edge: dict) -> dict:
    kind_type, subtype = TRANSFORMATION[edge["kind"]]
    where = f"{edge['file']}:{edge.get('line', 0)}" if edge.get("file") else f"line {edge.get('line', 0)}"
    # masking stays false: originscan does not know the function (a COUNT masks, a MAX does not), and for origin
    # data even an aggregate still tells which group a person is in.
    return {"type": kind_type, "subtype": subtype, "description": f"originscan {edge['kind']} edge at {where}",
            "masking": False}


def _run_id(run_id: str, job: str) -> str:
    """A stable run id per job, derived from the scan's: OpenLineage keys runs by runId, so jobs must not share it."""
    return str(uuid.uuid5(uuid.UUID(run_id), job))


def _input_fields(entries: dict[tuple[str, str, str], list[dict]]) -> list[dict]:
    return [{"namespace": ns, "name": name, "field": field, "transformations": entries[(ns, name, field)]}
            for ns, name, field in sorted(entries)]


def _add(transformations: list[dict], new: dict) -> None:
    """One transformation per (type, subtype) on an input field: the first place it was seen is description enough."""
    if not any(t["type"] == new["type"] and t["subtype"] == new["subtype"] for t in transformations):
        transformations.append(new)


def _event(job: str, edges: list[dict], *, namespace_for: Callable[[str], str], run_id: str, event_time: str,
           producer: str, job_namespace: str) -> dict:
    inputs: set[tuple[str, str]] = set()
    # output dataset -> target column -> input field key -> transformations
    fields: dict[tuple[str, str], dict[str, dict[tuple[str, str, str], list[dict]]]] = defaultdict(
        lambda: defaultdict(dict))
    # output dataset -> input field key -> transformations, for the facet's dataset-wide list (INDIRECT only)
    dataset_wide: dict[tuple[str, str], dict[tuple[str, str, str], list[dict]]] = defaultdict(dict)
    skipped: list[tuple[str, dict]] = []  # (the name with no table, its edge)
    for edge in edges:
        source, target = _split(edge["source"], namespace_for), _split(edge["target"], namespace_for)
        if source is None or target is None:
            skipped.append((edge["source"] if source is None else edge["target"], edge))
            continue
        inputs.add(source[:2])
        transformation = _transformation(edge)
        _add(fields[target[:2]][target[2]].setdefault(source, []), transformation)
        if transformation["type"] == "INDIRECT":
            # Our filter/join/group edges already reach every column the statement writes; they stay per field
            # (consumers that ignore `dataset` still see them) and are also listed once for the whole dataset.
            _add(dataset_wide[target[:2]].setdefault(source, []), transformation)
    outputs = []
    for ns, name in sorted(fields):
        facet: dict = {"_producer": producer, "_schemaURL": COLUMN_LINEAGE_SCHEMA,
                       "fields": {column: {"inputFields": _input_fields(entries)}
                                  for column, entries in sorted(fields[(ns, name)].items())}}
        if dataset_wide.get((ns, name)):
            facet["dataset"] = _input_fields(dataset_wide[(ns, name)])
        outputs.append({"namespace": ns, "name": name, "facets": {"columnLineage": facet}})
    run_facets: dict = {"parent": {"_producer": producer, "_schemaURL": PARENT_SCHEMA,
                                   "run": {"runId": run_id}, "job": {"namespace": job_namespace, "name": "scan"}}}
    if skipped:
        run_facets["extractionError"] = {
            "_producer": producer, "_schemaURL": EXTRACTION_ERROR_SCHEMA,
            "totalTasks": len(edges), "failedTasks": len(skipped),
            "errors": [{"errorMessage": f"no table in the name {name!r}: edge skipped",
                        "task": f"{e.get('file') or job}:{e.get('line', 0)}"} for name, e in skipped]}
    return {
        "eventType": "COMPLETE",
        "eventTime": event_time,
        "producer": producer,
        "schemaURL": f"{CORE_SCHEMA}#/$defs/RunEvent",
        "run": {"runId": _run_id(run_id, job), "facets": run_facets},
        "job": {"namespace": job_namespace, "name": job},
        "inputs": [{"namespace": ns, "name": name} for ns, name in sorted(inputs)],
        "outputs": outputs,
    }


def events(edges: list[dict], *, namespace_for: Callable[[str], str] | None = None, run_id: str, event_time: str,
           producer: str = "https://github.com/originscan/originscan", job_namespace: str = "originscan") -> list[dict]:
    """OpenLineage RunEvents (``COMPLETE``), one per job (source file), ordered by job name.

    ``run_id`` is the scan's id and must be a UUID: each job's run gets a UUID derived from it, and a ``parent``
    run facet pointing to the job ``scan`` with that id, so a catalogue can group one scan's jobs.
    ``event_time`` is an ISO 8601 timestamp (the scan's finish time, say).
    """
    uuid.UUID(run_id)  # fail early and clearly: OpenLineage run ids are UUIDs
    namespace_for = namespace_for or default_namespace
    jobs: dict[str, list[dict]] = defaultdict(list)
    for edge in edges:
        jobs[_job_name(edge)].append(edge)
    return [_event(job, jobs[job], namespace_for=namespace_for, run_id=run_id, event_time=event_time,
                   producer=producer, job_namespace=job_namespace) for job in sorted(jobs)]


def write_events(events: Iterable[dict], path: Path | str) -> Path:
    """NDJSON, one event per line: the form OpenLineage's file transport writes and its tools read."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def read_events(path: Path | str) -> list[dict]:
    """The events of an NDJSON file written by ``write_events`` (blank lines ignored)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
