"""The shipped vocabulary (``vocabulary.toml``) as compiled rules: categories, qualifiers and table-context words."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from babel import Locale

from scanner.detect import values
from scanner.detect.words import tokens


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    return tomllib.loads(resources.files("scanner.detect").joinpath("vocabulary.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Category:
    """One origin category and its rules; what each kind of rule does is written at the top of vocabulary.toml."""

    id: str
    label_nl: str
    label_en: str
    names: tuple[re.Pattern, ...]
    tokens: tuple[re.Pattern, ...]
    abbreviations: tuple[re.Pattern, ...]
    negatives: tuple[re.Pattern, ...]
    weak: tuple[re.Pattern, ...]
    together: tuple[re.Pattern, ...]
    in_prose: tuple[re.Pattern, ...]
    shadows: tuple[str, ...]
    declared: tuple[str, ...]
    vetoes: tuple[re.Pattern, ...]


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    """The shipped vocabulary, in the order categories are tried."""
    return tuple(
        Category(
            id=c["id"], label_nl=c["label_nl"], label_en=c["label_en"],
            names=_any_of(c["names"]), tokens=_any_of(c["tokens"]), abbreviations=_any_of(c.get("abbreviations", [])),
            negatives=_any_of(c["not"]), weak=_any_of(c.get("weak", [])),
            together=tuple(_any_of(g)[0] for g in c.get("together", [])),
            in_prose=tuple(re.compile(_with_country_names(p)) for p in c.get("in_prose", [])),
            shadows=tuple(c["shadows"]), declared=tuple(c["declared"]),
            vetoes=_any_of(c.get("veto", [])))
        for c in _vocabulary()["category"]
    )


@dataclass(frozen=True)
class Qualifier:
    """A word anywhere in a name, or in the same clause of a comment, that turns one category into a more specific
    one: a birth country with 'ouders' or 'mother' in it is a parent's (StUF-BG ``heeftAlsOuders_1_..._geboorteLand``).
    ``name_tokens`` count in names only (Swedish 'far' is English 'far'); ``glued`` is matched on a name's squashed
    form."""

    category: str
    becomes: str
    tokens: tuple[re.Pattern, ...]
    name_tokens: tuple[re.Pattern, ...]
    glued: tuple[re.Pattern, ...]


@lru_cache(maxsize=1)
def qualifiers() -> tuple[Qualifier, ...]:
    return tuple(Qualifier(general, q["becomes"], _any_of(q["tokens"]), _any_of(q.get("name_tokens", [])),
                           _any_of(q.get("glued", [])))
                 for q in _vocabulary().get("qualifier", []) for general in q["categories"])


def _with_country_names(pattern: str) -> str:
    """``{country_names}`` in a pattern stands for every country's name in Dutch, English, German and French ('the
    United States', 'Zuid-Afrika', 'Deutschland'), written as words the way a clause is."""
    if "{country_names}" not in pattern:
        return pattern
    sets = values.value_sets()
    other = {n.lower() for lang in ("de", "fr") for code, n in Locale(lang).territories.items() if code.isalpha()}
    names = {" ".join(tokens(n)) for n in sets["country_name_en"] | sets["country_name_nl"] | other if "pseudo" not in n}
    return pattern.replace("{country_names}", "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n))


def _any_of(patterns: list[str]) -> tuple[re.Pattern, ...]:
    """The patterns as one alternation: a column is matched against hundreds of them, and one regex scan is an
    order of magnitude faster than a Python loop over many."""
    return (re.compile("|".join(f"(?:{p})" for p in patterns)),) if patterns else ()


def category(category_id: str) -> Category | None:
    return next((c for c in categories() if c.id == category_id), None)


@lru_cache(maxsize=1)
def context_vocabulary() -> dict:
    """Words that say what a table describes (persons, things, codes)."""
    return _vocabulary()["context"]


@lru_cache(maxsize=None)
def context_patterns(key: str) -> tuple[re.Pattern, ...]:
    """A context list of regexes (``procedure_tables``, ``procedure_columns``), compiled as one alternation."""
    return _any_of(context_vocabulary()[key])
