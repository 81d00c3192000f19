"""Recognising origin data by the values a column holds, as statistics only.

``profile(values)`` turns a sample into counts per value set; the values themselves are dropped there and then.
Nothing in a ``Profile`` can be traced back to a person: it says which kind of values matched and how often.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pycountry
from babel import Locale

from scanner.detect import reference

# Values that say nothing about what a column holds; they count neither for nor against a set.
UNINFORMATIVE = {"", "unknown", "onbekend", "other", "anders", "overig", "n/a", "na", "-", "?", "null", "none"}
# A share of matching non-null values below this is not evidence.
MIN_RATIO = 0.5
# Code sets need this many distinct values: a 0/1 flag or a count of 1-2 is not a column of codes.
MIN_DISTINCT_FOR_CODES = 3
DISTINCT_CAP = 16
CODE_SETS = {"iso_numeric", "brp_land", "brp_nationaliteit"}

SET_LABELS = {
    "iso_alpha2": "ISO 3166 alpha-2 country codes",
    "iso_alpha3": "ISO 3166 alpha-3 country codes",
    "iso_numeric": "ISO 3166 numeric country codes",
    "country_name_nl": "country names (nl)",
    "country_name_en": "country names (en)",
    "brp_land": "BRP Tabel 34 country codes",
    "brp_nationaliteit": "BRP Tabel 32 nationality codes",
    "nationality_adjective": "nationality adjectives (nl/en)",
    "herkomst_class": "CBS origin classes",
    "ethnicity_term": "ethnicity categories",
}
# What a value set says on its own (None: only supports a tag from the name or comment).
SET_CATEGORY = {
    "nationality_adjective": "nationality",
    "herkomst_class": "migration_background",
    "ethnicity_term": "ethnicity",
}
COUNTRY_SETS = {"iso_alpha2", "iso_alpha3", "iso_numeric", "country_name_nl", "country_name_en", "brp_land"}
# Categories whose values are countries or nationalities.
COUNTRY_VALUED = {"nationality", "dual_nationality", "birth_country", "parents_birth_country", "migration_background"}


@dataclass(frozen=True)
class Profile:
    """What a column's sample looked like: how many informative values, and how many fell in each value set."""

    sampled: int
    matches: dict[str, int] = field(default_factory=dict)
    distinct: int = 0  # distinct informative values, counted up to DISTINCT_CAP

    def ratios(self) -> dict[str, float]:
        if not self.sampled:
            return {}
        return {name: count / self.sampled for name, count in self.matches.items()}


@lru_cache(maxsize=1)
def value_sets() -> dict[str, frozenset[str]]:
    """Every value set, normalised (lower case, trimmed)."""
    shipped = tomllib.loads(resources.files("scanner.detect").joinpath("value_sets.toml").read_text("utf-8"))
    countries = list(pycountry.countries) + list(pycountry.historic_countries)
    sets = {
        "iso_alpha2": {c.alpha_2.lower() for c in countries if hasattr(c, "alpha_2")},
        "iso_alpha3": {c.alpha_3.lower() for c in countries if hasattr(c, "alpha_3")},
        "iso_numeric": {c.numeric for c in countries if hasattr(c, "numeric")},
        "country_name_nl": {n.lower() for code, n in Locale("nl").territories.items() if code.isalpha()},
        "country_name_en": {n.lower() for code, n in Locale("en").territories.items() if code.isalpha()}
        | {c.name.lower() for c in countries} | {getattr(c, "common_name", c.name).lower() for c in countries},
        "brp_land": set(shipped["brp_land"]),
        "brp_nationaliteit": set(shipped["brp_nationaliteit"]),
        "nationality_adjective": {v.lower() for v in shipped["brp_nationaliteit"].values()}
        | set(shipped["vocabulary"]["nationality_adjective"]),
        "herkomst_class": set(shipped["vocabulary"]["herkomst_class"]),
        "ethnicity_term": set(shipped["vocabulary"]["ethnicity_term"]),
    }
    for name, codes in reference.loaded().items():  # the full RvIG tables, when the user loaded them
        sets[name] |= set(codes)
        target = "nationality_adjective" if name == "brp_nationaliteit" else "country_name_nl"
        sets[target] |= {d.lower() for d in codes.values() if d}
    return {name: frozenset(values - UNINFORMATIVE) for name, values in sets.items()}


def profile(values: Iterable[object]) -> Profile:
    """Counts per value set over the informative non-null values of a sample. The values are not kept."""
    sets = value_sets()
    counts: dict[str, int] = dict.fromkeys(sets, 0)
    sampled = 0
    seen: set[str] = set()  # at most DISTINCT_CAP values, only to count them; dropped with this frame
    for value in values:
        if value is None:
            continue
        text = str(value).strip().lower()
        if text in UNINFORMATIVE:
            continue
        sampled += 1
        if len(seen) < DISTINCT_CAP:
            seen.add(text)
        digits = text.isdigit()
        code = text.zfill(4) if digits and len(text) <= 4 else text  # integer columns lose leading zeros
        for name in _TEXT_SETS:
            counts[name] += text in sets[name]
        counts["iso_numeric"] += digits and len(text) <= 3 and text.zfill(3) in sets["iso_numeric"]
        counts["brp_land"] += code in sets["brp_land"] or _tabel34_shape(code)
        counts["brp_nationaliteit"] += code in sets["brp_nationaliteit"]
    distinct = len(seen)
    seen.clear()
    return Profile(sampled, {name: count for name, count in counts.items() if count}, distinct)


_TEXT_SETS = ("iso_alpha2", "iso_alpha3", "country_name_nl", "country_name_en", "nationality_adjective",
              "herkomst_class", "ethnicity_term")


def _tabel34_shape(code: str) -> bool:
    """Tabel 34's shape: four digits from 5001 to 9999. Not every such number is a country, which is why the
    country sets only support a tag that a name or comment gives."""
    return len(code) == 4 and code.isdigit() and 5001 <= int(code) <= 9999


def evidence(profile_: Profile) -> list[tuple[str, float]]:
    """(value set, ratio) for every set that at least half of the informative values fall in, best first."""
    found = [(name, ratio) for name, ratio in profile_.ratios().items() if ratio >= MIN_RATIO
             and (name not in CODE_SETS or profile_.distinct >= MIN_DISTINCT_FOR_CODES)]
    return sorted(found, key=lambda item: -item[1])
