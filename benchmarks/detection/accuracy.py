"""Precision and recall of origin detection on a hand-labelled corpus, in SQLite and PostgreSQL.

The corpus (``corpus.json``, labelled without looking at the detector's rules) is built into real databases with
generated values, then classified exactly as ``originscan classify --sample`` does: names, comments (PostgreSQL
only: SQLite has none), sampled values and table context. A column's prediction is its first tag (direct tags
come first) or ``none``. Direct categories and proxies are scored apart.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.postgres import throwaway_database
from connectors.database import inventory
from scanner.detect import classify_column, classify_table
from scanner.detect.values import profile

CORPUS = Path(__file__).parent / "corpus.json"
# Every corpus was labelled blind (by someone who did not read the rules), each from other public schemas. The rules
# were revised on what a corpus showed only after its first run: a corpus counts as held out until then.
CORPORA = {
    "corpus.json": "first corpus; rules revised on it",
    "heldout.json": "second corpus; held out until its first run, rules revised on it since",
    "heldout2.json": "third corpus; held out until its first run, rules revised on it since",
    "heldout3.json": "fourth corpus; held out until its first run, rules revised on it since",
    "heldout4.json": "fifth corpus; held out until its first run, rules revised on it since",
    "heldout5.json": "sixth corpus; held out until its first run, rules revised on it since",
    "heldout6.json": "seventh corpus; held out until its first run, rules revised on it since",
    "heldout7.json": "eighth corpus; held out until its first run, rules revised on it since",
    "heldout8.json": "ninth corpus; held out until its first run, rules revised on it since",
    "heldout9.json": "tenth corpus; held out until its first run, rules revised on it since",
    "heldout10.json": "eleventh corpus; held out until its first run, two things it showed were changed since",
    "heldout11.json": "twelfth corpus; held out until its first run, rules revised on it since",
    "heldout12.json": "thirteenth corpus; held out until its first run, rules revised on it since",
    "heldout13.json": "fourteenth corpus; held out until its first run, rules revised on it since",
    "heldout14.json": "fifteenth corpus; held out until its first run, rules revised on it since",
    "heldout15.json": "sixteenth corpus; held out until its first run, misses read since (not revised on it)",
    "heldout16.json": "seventeenth corpus; held out until its first run, rules revised on it since",
    "heldout17.json": "eighteenth corpus; held out until its first run, rules revised on it since",
    "heldout18.json": "nineteenth corpus; held out until its first run, rules revised on it since",
    "heldout19.json": "twentieth corpus; held out until its first run, misses read since (not revised on it)",
    "heldout20.json": "twenty-first corpus; held out until its first run, misses read since (not revised on it)",
    "heldout21.json": "twenty-second corpus; held out until its first run, rules revised on it since",
    "heldout22.json": "twenty-third corpus; held out until its first run, misses read since (not revised on it)",
    "heldout23.json": "twenty-fourth corpus; held out until its first run, rules revised on it since",
    "heldout24.json": "twenty-fifth corpus; held out until its first run, rules revised on it since",
    "heldout25.json": "twenty-sixth corpus; held out until its first run, rules revised on it since",
    "heldout26.json": "twenty-seventh corpus; held out until its first run, rules revised on it since",
    "heldout27.json": "twenty-eighth corpus; held out until its first run, rules revised on it since",
    "heldout28.json": "twenty-ninth corpus; held out until its first run, rules revised on it since",
    "heldout29.json": "thirtieth corpus; held out until its first run, rules revised on it since",
    "heldout30.json": "thirty-first corpus; held out: not revised on it (misses read after its first run)",
    "heldout31.json": "thirty-second corpus; held out: not revised on it (misses read after its first run)",
}
ROWS = 200


def load(path: Path = CORPUS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["tables"]


def rows_for(table: dict, rng: random.Random, count: int = ROWS) -> list[tuple]:
    return [tuple(_cell(c, rng) for c in table["columns"]) for _ in range(count)]


def _cell(column: dict, rng: random.Random):
    """A generated value; an empty choice in a numeric column is missing (NULL: PostgreSQL rejects '' there)."""
    value = _value(column["values"], rng)
    return None if value == "" and column["type"] in ("INTEGER", "REAL") else value


def _value(spec: dict, rng: random.Random):
    if "choice" in spec:
        return rng.choice(spec["choice"])
    if "int" in spec:
        return rng.randint(*spec["int"])
    if "digits" in spec:
        return "".join(rng.choice("0123456789") for _ in range(spec["digits"]))
    if "date" in spec:
        start, end = (date.fromisoformat(d) for d in spec["date"])
        return (start + timedelta(days=rng.randrange(max(1, (end - start).days)))).isoformat()
    if "bool" in spec:
        return rng.random() < 0.5
    return None


def build_sqlite(tables: list[dict], path: Path, seed: int = 7) -> str:
    rng = random.Random(seed)
    with sqlite3.connect(path) as conn:
        for table in tables:
            columns = ", ".join(f'{c["name"]} {c["type"]}' for c in table["columns"])
            conn.execute(f'CREATE TABLE {table["name"]} ({columns})')
            marks = ", ".join("?" for _ in table["columns"])
            conn.executemany(f'INSERT INTO {table["name"]} VALUES ({marks})', rows_for(table, rng))
    return f"sqlite:///{path}"


def build_postgres(tables: list[dict], url: str, seed: int = 7) -> None:
    """The corpus with its comments, in the (empty) database at ``url``."""
    rng = random.Random(seed)
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in tables:
            # BIGINT: a generated identifier may not fit PostgreSQL's 32-bit INTEGER (SQLite's INTEGER is 64-bit)
            columns = ", ".join(f'{c["name"]} {"BIGINT" if c["type"] == "INTEGER" else c["type"]}' for c in table["columns"])
            conn.execute(text(f'CREATE TABLE {table["name"]} ({columns})'))
            for column in table["columns"]:
                if column.get("comment"):  # a literal, not text(): a comment may hold ':word'; the driver reads '%'
                    quoted = column["comment"].replace("'", "''").replace("%", "%%")
                    conn.exec_driver_sql(f'COMMENT ON COLUMN {table["name"]}.{column["name"]} IS \'{quoted}\'')
            marks = ", ".join(f":c{i}" for i in range(len(table["columns"])))
            conn.execute(text(f'INSERT INTO {table["name"]} VALUES ({marks})'),
                         [{f"c{i}": v for i, v in enumerate(row)} for row in rows_for(table, rng)])
    engine.dispose()


def predictions(url: str, sample: int = ROWS) -> dict[tuple[str, str], str]:
    """(table, column) -> the predicted category or 'none', as classify --sample would tag it."""
    inv = inventory(url, "bench", sample=sample, summarize=profile)
    out = {}
    for table in inv.tables:
        for column, tags in classify_table(table):
            out[(table.name.lower(), column.name.lower())] = tags[0].category if tags else "none"
    return out


def score(tables: list[dict], predicted: dict[tuple[str, str], str]) -> dict:
    labels = {(t["name"].lower(), c["name"].lower()): c["label"] for t in tables for c in t["columns"]}
    per: dict[str, Counter] = {}
    confusion: Counter = Counter()
    for key, label in labels.items():
        guess = predicted.get(key, "none")
        if guess != label:
            confusion[(label, guess)] += 1
        for category in {label, guess} - {"none"}:
            counts = per.setdefault(category, Counter())
            counts["tp" if guess == label == category else "fn" if label == category else "fp"] += 1
    return {"per": per, "confusion": confusion, "columns": len(labels),
            "examples": {pair: [k for k, v in labels.items() if v == pair[0] and predicted.get(k, "none") == pair[1]][:3]
                         for pair in confusion}}


def _pr(counts: Counter) -> tuple[float, float]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def report(name: str, result: dict) -> str:
    lines = [f"\n{name}: {result['columns']} labelled columns",
             f"  {'category':<28}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for group, keep in (("direct", lambda c: not c.startswith("proxy:")), ("indirect (proxy)", lambda c: c.startswith("proxy:"))):
        total = Counter()
        for category in sorted(c for c in result["per"] if keep(c)):
            counts = result["per"][category]
            total.update(counts)
            p, r = _pr(counts)
            lines.append(f"  {category:<28}{p:>10.3f}{r:>8.3f}{counts['tp']:>5}{counts['fp']:>5}{counts['fn']:>5}")
        p, r = _pr(total)
        lines.append(f"  {'= ' + group + ' (micro)':<28}{p:>10.3f}{r:>8.3f}{total['tp']:>5}{total['fp']:>5}{total['fn']:>5}")
    if result["confusion"]:
        lines.append("  confusions (label -> predicted: count, examples):")
        for (label, guess), count in result["confusion"].most_common(15):
            examples = ", ".join(f"{t}.{c}" for t, c in result["examples"][(label, guess)])
            lines.append(f"    {label} -> {guess}: {count}  ({examples})")
    return "\n".join(lines)


def misses(tables: list[dict], predicted: dict[tuple[str, str], str]) -> str:
    """Every column where label and prediction differ and a direct category is involved, with its comment: what a
    revision of the rules starts from (and what a corpus stops being held out for once it is read)."""
    lines = []
    for table in tables:
        for column in table["columns"]:
            label, guess = column["label"], predicted.get((table["name"].lower(), column["name"].lower()), "none")
            if label != guess and any(c != "none" and not c.startswith("proxy:") for c in (label, guess)):
                lines.append(f"  {label:>22} <- {guess:<22} {table['name']}.{column['name']}  | {column.get('comment') or ''}")
    return "\n".join(["  misses (label <- predicted):", *lines]) if lines else "  no misses on direct categories"


def name_speed(tables: list[dict], columns: int = 100_000) -> str:
    names = [c["name"] for t in tables for c in t["columns"]]
    catalog = [f"{names[i % len(names)]}_{i}" if i >= len(names) else names[i] for i in range(columns)]
    start = time.perf_counter()
    for name in catalog:
        classify_column(name)
    seconds = time.perf_counter() - start
    return (f"\nName-only classification of a {columns:,}-column catalog: {seconds:.1f} s "
            f"({seconds / columns * 1e6:.0f} µs per column)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append",
                        help="A corpus file (repeatable; default: every corpus in benchmarks/detection).")
    parser.add_argument("--misses", action="store_true",
                        help="Also list every column whose direct category was missed or wrongly given. Reading them "
                             "ends a corpus's use as a held-out measure.")
    args = parser.parse_args(argv)
    corpora = args.corpus or [CORPUS.parent / name for name in CORPORA if (CORPUS.parent / name).exists()]
    for number, corpus in enumerate(corpora):
        if number:
            print()
        run_corpus(corpus, args.misses)
    print(name_speed(load(corpora[0])))


def second_labelling(corpus: Path) -> dict[tuple[str, str], str] | None:
    """A second labeller's labels of the same columns, made from the same definitions without seeing the first's
    (``<corpus>.second_labeller.json``, keys ``table.column``): how far two labellers agree is the ceiling a
    detector can be held to."""
    path = corpus.with_name(f"{corpus.stem}.second_labeller.json")
    if not path.exists():
        return None
    labels = json.loads(path.read_text(encoding="utf-8"))["labels"]
    return {tuple(key.lower().split(".", 1)): label for key, label in labels.items()}


def run_corpus(corpus: Path, show_misses: bool = False) -> None:
    tables = load(corpus)
    print(f"Detection on {corpus.name} ({CORPORA.get(corpus.name, 'a corpus of your own')}): {len(tables)} tables "
          f"shaped after public schemas, {ROWS} generated rows each, values sampled ({ROWS} rows), table context on")
    second = second_labelling(corpus)
    if second is not None:
        print(report("A second labeller, blind to the first (how far two labellers agree)", score(tables, second)))
    with tempfile.TemporaryDirectory() as folder:
        url = build_sqlite(tables, Path(folder) / "corpus.db")
        predicted = predictions(url)
        print(report("SQLite (names, values, context; SQLite has no comments)", score(tables, predicted)))
        if show_misses:
            print(misses(tables, predicted))
    server = os.environ.get("ORIGINSCAN_TEST_PG_URL")
    if server:
        with throwaway_database(server, "detect") as url:
            build_postgres(tables, url)
            predicted = predictions(url)
            print(report("PostgreSQL (names, comments, values, context)", score(tables, predicted)))
            if show_misses:
                print(misses(tables, predicted))
    else:
        print("\nPostgreSQL: not run (no server; make bench starts one)")


if __name__ == "__main__":
    main()
