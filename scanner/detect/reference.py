"""The full RvIG Landelijke tabellen, loaded by the user (``originscan reference load``).

originscan ships only the rows of Tabel 32 (nationalities) and 34 (countries) confirmed from public sources; the
full tables are published by RvIG as CSV. A loaded table is kept as JSON in the data folder
(``$ORIGINSCAN_DATA_DIR``, else ``$XDG_DATA_HOME/originscan``, else ``~/.local/share/originscan``) and joins the
value sets used to recognise sampled values.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from connectors.code import decode  # RvIG's CSVs come as UTF-16 or UTF-8 with a BOM, like SQL files

# The header of each table's code column, as RvIG names it: its element number and Dutch name.
TABLES = {"34": ("94.10", "landcode"), "32": ("05.11", "nationaliteitscode")}
VALUE_SET = {"34": "brp_land", "32": "brp_nationaliteit"}


class ReferenceError(Exception):
    """A file that is not one of the tables, with the reason."""


def data_dir() -> Path:
    if os.environ.get("ORIGINSCAN_DATA_DIR"):
        return Path(os.environ["ORIGINSCAN_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "originscan"


def load(path: Path) -> tuple[str, int, Path]:
    """Read an RvIG table CSV and keep it; returns (table number, rows, where it is kept)."""
    rows = list(csv.reader(io.StringIO(decode(path.read_bytes())), dialect=_dialect(path)))
    if not rows:
        raise ReferenceError(f"{path}: empty file")
    header = [h.strip().lower() for h in rows[0]]
    table = next((number for number, (element, word) in TABLES.items()
                  if any(element in h or word in h for h in header)), None)
    if table is None:
        raise ReferenceError(f"{path}: not Tabel 32 or 34 (expected a column '05.11 Nationaliteitscode' or "
                             f"'94.10 Landcode', found {rows[0][:3]})")
    code_at = next(i for i, h in enumerate(header) if TABLES[table][0] in h or TABLES[table][1] in h)
    codes = {}
    for row in rows[1:]:
        if len(row) > code_at and row[code_at].strip().isdigit():
            description = row[code_at + 1].strip() if len(row) > code_at + 1 else ""
            codes[row[code_at].strip().zfill(4)] = description
    if not codes:
        raise ReferenceError(f"{path}: no codes found under '{rows[0][code_at]}'")
    target = data_dir() / f"tabel{table}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(codes, ensure_ascii=False, indent=1), encoding="utf-8")
    return table, len(codes), target


def loaded() -> dict[str, dict[str, str]]:
    """The loaded tables, by value-set name: {"brp_land": {code: description}, ...}."""
    out = {}
    for table, value_set in VALUE_SET.items():
        path = data_dir() / f"tabel{table}.json"
        if path.is_file():
            out[value_set] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _dialect(path: Path) -> type[csv.Dialect]:
    sample = decode(path.read_bytes())[:2048]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        return csv.excel
