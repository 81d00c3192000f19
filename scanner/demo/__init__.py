"""The bundled demo estate: a fictional benefits agency, built fresh on disk so ``originscan demo`` needs nothing.

The database is SQLite with BRP-like person and nationality tables, benefit applications and a risk table; the ETL
scripts in ``etl/`` are really run to fill the downstream tables, and the register lists five algorithms: one
selects on nationality, one uses a derived origin flag, one shows figures per country of birth, one selects on
country of birth through a view, and one uses no origin data. Every value is generated from a fixed seed.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from importlib import resources
from pathlib import Path

NOT_EXECUTED = "-- originscan-demo: not executed"
DATABASE = "uitvoeringsdienst.db"

# BRP Tabel 34 country codes (only rows confirmed from public sources; see research/origin-data-nl.md §5) with a
# weight (share of persons born there) and places of birth.
COUNTRIES = {
    "6030": ("Nederland", 75, ["0363", "0518", "0599", "0344", "0772", "0855"]),
    "5022": ("Marokko", 5, ["Casablanca", "Nador", "Tanger"]),
    "6043": ("Turkije", 5, ["Istanbul", "Ankara", "Kayseri"]),
    "5007": ("Suriname", 4, ["Paramaribo", "Nieuw Nickerie"]),
    "5107": ("Curaçao", 2, ["Willemstad"]),
    "9089": ("Bondsrepubliek Duitsland", 2, ["Berlijn", "Keulen"]),
    "5010": ("België", 2, ["Antwerpen", "Gent"]),
    "6039": ("Groot-Brittannië", 1, ["Londen"]),
    "5095": ("Aruba", 2, ["Oranjestad"]),
    "6014": ("Verenigde Staten van Amerika", 2, ["New York", "Chicago"]),
}
# BRP Tabel 32 nationality codes; the first nationality follows the country of birth most of the time.
NATIONALITIES = {
    "0001": "Nederlandse", "0131": "Marokkaanse", "0339": "Turkse", "0263": "Surinaamse",
    "0055": "Burger van de Bondsrepubliek Duitsland", "0052": "Belgische", "0060": "Brits burger",
    "0223": "Amerikaans burger", "0499": "Staatloos",
}
BY_COUNTRY = {"6030": "0001", "5022": "0131", "6043": "0339", "5007": "0263", "5107": "0001", "9089": "0055",
              "5010": "0052", "6039": "0060", "5095": "0001", "6014": "0223"}
SURNAMES = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits"]
FIRST_NAMES = ["Anna", "Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Noah", "Sara", "Finn", "Yara", "Levi"]
STATUSES = ["ingediend", "in_behandeling", "toegekend", "afgewezen", "ingetrokken"]


def build_estate(dest: Path, persons: int = 600, seed: int = 20210119) -> Path:
    """Write the demo estate into ``dest`` (database, ETL, queries, register, config) and return the config path.

    The database is rebuilt from scratch; the ETL scripts are executed in name order, except one marked as not
    executed (it holds the broken statement the scan must report)."""
    dest.mkdir(parents=True, exist_ok=True)
    package = resources.files("scanner.demo")
    for folder in ("etl", "queries"):
        target = dest / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        for item in sorted(package.joinpath(folder).iterdir(), key=lambda i: i.name):
            if item.name.endswith(".sql"):
                (target / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("algorithms.toml", "originscan.toml"):
        (dest / name).write_text(package.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
    database = dest / DATABASE
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as conn:
        conn.executescript(package.joinpath("schema.sql").read_text(encoding="utf-8"))
        _fill(conn, random.Random(seed), persons)
        for script in sorted((dest / "etl").glob("*.sql")):
            text = script.read_text(encoding="utf-8")
            if not text.startswith(NOT_EXECUTED):
                conn.executescript(text)
    conn.close()
    return dest / "originscan.toml"


def _fill(conn: sqlite3.Connection, rng: random.Random, persons: int) -> None:
    conn.executemany("INSERT INTO lo3_land VALUES (?, ?)", [(c, n) for c, (n, _, _) in COUNTRIES.items()])
    conn.executemany("INSERT INTO lo3_nationaliteit VALUES (?, ?)", list(NATIONALITIES.items()))
    codes = list(COUNTRIES)
    weights = [COUNTRIES[c][1] for c in codes]
    people, nationalities = [], []
    for number in range(persons):
        bsn = str(999_900_000 + number)
        country = rng.choices(codes, weights)[0]
        parents = [str(999_900_000 + rng.randrange(number)) if number > 50 and rng.random() < 0.3 else None
                   for _ in range(2)]
        people.append((
            bsn, str(9_100_000_000 + number), rng.choice(SURNAMES), rng.choice(FIRST_NAMES),
            f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", rng.choice("MV"),
            rng.choice(COUNTRIES[country][2]), country, parents[0], parents[1],
            rng.choice(["0363", "0518", "0599", "0344"]), f"{rng.randint(1000, 9999)}{rng.choice('ABCDEFGH')}X"))
        first = BY_COUNTRY[country] if rng.random() < 0.85 else rng.choice(list(NATIONALITIES))
        nationalities.append((bsn, 1, first, "001", "2010-01-01"))
        if first != "0001" and rng.random() < 0.2:  # naturalised: Dutch as a second nationality
            nationalities.append((bsn, 2, "0001", "301", "2016-05-01"))
    conn.executemany("INSERT INTO brp_persoon VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", people)
    conn.executemany("INSERT INTO brp_nationaliteit VALUES (?, ?, ?, ?, ?)", nationalities)
    applications, incomes, childcare = [], [], []
    for number, person in enumerate(rng.sample(people, k=persons // 2)):
        bsn = person[0]
        for year in (2022, 2023):
            incomes.append((bsn, year, round(rng.uniform(14_000, 95_000), 2)))
        for _ in range(rng.randint(1, 2)):
            aanvraag_id = 10_000 + len(applications)
            month = rng.randint(1, 5)
            applications.append((aanvraag_id, bsn, "kinderopvangtoeslag", f"2024-{month:02d}-{rng.randint(1, 28):02d}",
                                 round(rng.uniform(2_000, 18_000), 2), rng.choice(STATUSES),
                                 f"behandelaar{rng.randint(1, 12):02d}", f"2024-{month + 2:02d}-15"))
            childcare.append((aanvraag_id, str(999_800_000 + len(childcare)), rng.choice([40, 60, 80, 100, 120]),
                              round(rng.uniform(8.5, 10.5), 2), f"{rng.randint(100_000_000, 999_999_999)}"))
    conn.executemany("INSERT INTO toeslag_aanvraag VALUES (?, ?, ?, ?, ?, ?, ?, ?)", applications)
    conn.executemany("INSERT INTO inkomen VALUES (?, ?, ?)", incomes)
    conn.executemany("INSERT INTO kinderopvang VALUES (?, ?, ?, ?, ?)", childcare)
