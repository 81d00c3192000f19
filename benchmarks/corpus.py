"""A seeded corpus of realistic ETL SQL over a schema of a few hundred tables, written by the benchmark itself.

Statements mix CREATE TABLE AS, INSERT ... SELECT with a column list and CREATE VIEW; bodies join 1-4 tables, use
1-3 CTEs, UNION ALL, GROUP BY/HAVING, derived tables, IN (subquery), CASE, COALESCE, CAST, window functions and
WHERE clauses. About a third of the FROM tables are earlier statements' targets, so lineage chains run across
statements. Some tables carry origin columns (nationality, birth country, ...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sqlglot

SCHEMAS = ("brp", "toeslagen", "risk", "finance", "stage")
ORIGIN = ("nationaliteit", "geboorteland", "country_of_birth", "herkomst", "etniciteit", "geboorteplaats")
PLAIN = ("bsn", "bedrag", "status", "datum", "postcode", "inkomen", "uren", "code", "omschrijving", "jaar",
         "aantal", "categorie", "bron", "kenmerk", "score", "regio", "soort", "periode", "saldo", "type")


@dataclass(frozen=True)
class Corpus:
    schema: dict  # {schema: {table: {column: type}}}
    statements: list[str]

    @property
    def sql(self) -> str:
        return ";\n".join(self.statements) + ";\n"


def generate(statements: int = 2000, tables: int = 300, seed: int = 42) -> Corpus:
    rng = random.Random(seed)
    schema: dict = {s: {} for s in SCHEMAS}
    names: list[tuple[str, str]] = []
    for number in range(tables):
        db = SCHEMAS[number % len(SCHEMAS)]
        table = f"t{number:03d}_{rng.choice(PLAIN)}"
        columns = {"id": "INT"}
        for index in range(rng.randint(10, 50)):
            columns[f"{rng.choice(PLAIN)}_{index}"] = rng.choice(("INT", "TEXT", "NUMERIC", "DATE"))
        if rng.random() < 0.15:
            for origin in rng.sample(ORIGIN, rng.randint(1, 3)):
                columns[origin] = "TEXT"
        schema[db][table] = columns
        names.append((db, table))
    out = []
    for number in range(statements):
        out.append(_statement(rng, schema, names, number))
    return Corpus(schema, out)


def _statement(rng: random.Random, schema: dict, names: list, number: int) -> str:
    sources = [names[rng.randrange(len(names))] for _ in range(rng.randint(1, 4))]
    aliases = [f"s{i}" for i in range(len(sources))]
    width = rng.randint(5, 60)
    selects: list[str] = [f"{aliases[0]}.id AS id"]
    for index in range(width):
        alias_index = rng.randrange(len(sources))
        db, table = sources[alias_index]
        column = rng.choice(list(schema[db][table]))
        ref = f"{aliases[alias_index]}.{column}"
        roll = rng.random()
        if roll < 0.55:
            expr = ref
        elif roll < 0.65:
            expr = f"CASE WHEN {ref} IS NULL THEN 0 ELSE 1 END"
        elif roll < 0.72:
            expr = f"COALESCE(CAST({ref} AS TEXT), 'onbekend')"
        elif roll < 0.8:
            expr = f"ROW_NUMBER() OVER (PARTITION BY {aliases[0]}.id ORDER BY {ref})"
        elif roll < 0.88:
            expr = f"CONCAT({ref}, '-', {aliases[0]}.id)"
        else:
            expr = f"LAG({ref}) OVER (ORDER BY {aliases[0]}.id)"
        selects.append(f"{expr} AS c{index}")
    joins = "".join(
        f" JOIN {sources[i][0]}.{sources[i][1]} AS {aliases[i]} ON {aliases[i]}.id = {aliases[0]}.id"
        for i in range(1, len(sources)))
    where = f" WHERE {aliases[0]}.id > {rng.randint(1, 1000)}" if rng.random() < 0.6 else ""
    if rng.random() < 0.2:
        db, table = names[rng.randrange(len(names))]
        where += (" AND" if where else " WHERE") + f" {aliases[0]}.id IN (SELECT id FROM {db}.{table} WHERE id < 500)"
    body = f"SELECT {', '.join(selects)} FROM {sources[0][0]}.{sources[0][1]} AS {aliases[0]}{joins}{where}"
    if rng.random() < 0.25:  # a grouped variant: plain keys, an aggregate, HAVING
        keys = [s.split(" AS ")[0] for s in selects if "(" not in s.split(" AS ")[0]][: max(1, width // 4)]
        body = (f"SELECT {keys[0]} AS id, {', '.join(f'{k} AS g{i}' for i, k in enumerate(keys[1:]))}"
                f"{', ' if len(keys) > 1 else ''}COUNT(*) AS n, "
                f"SUM({aliases[0]}.id) AS total FROM {sources[0][0]}.{sources[0][1]} AS {aliases[0]}{joins}{where} "
                f"GROUP BY {', '.join(keys)} HAVING COUNT(*) > 1")
    if rng.random() < 0.15:
        body = f"{body} UNION ALL {body}"
    if rng.random() < 0.3:
        body = f"WITH base AS ({body}) SELECT * FROM base"
    target_db = rng.choice(SCHEMAS)
    target = f"etl_{number:04d}"
    kind = rng.random()
    if kind < 0.4:
        statement = f"CREATE TABLE {target_db}.{target} AS {body}"
    elif kind < 0.75:
        statement = f"CREATE VIEW {target_db}.{target} AS {body}"
    else:
        columns = _output_names(body)
        schema[target_db][target] = {c: "TEXT" for c in columns}
        names.append((target_db, target))
        return f"INSERT INTO {target_db}.{target} ({', '.join(columns)}) {body}"
    schema[target_db][target] = {c: "TEXT" for c in _output_names(body)}
    names.append((target_db, target))
    return statement


def _output_names(body: str) -> list[str]:
    query = sqlglot.parse_one(body, read="postgres")
    if any(isinstance(s, sqlglot.exp.Star) for s in query.selects):
        query = query.ctes[0].this
    while isinstance(query, sqlglot.exp.SetOperation):
        query = query.left
    return [s.alias_or_name for s in query.selects]
