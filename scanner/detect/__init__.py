"""Tagging origin columns by name and comment, with the evidence for every tag (design §Origin tags).

Evidence holds what matched and where (a rule and its pattern), never a value from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Protocol

from scanner.detect import values
from scanner.detect.matching import (Hit, look_alikes, match_comment, match_name, procedure_step, procedure_table,
                                     qualifier_in, vetoed)
from scanner.detect.vocabulary import Category, categories, category, context_vocabulary, qualifiers
from scanner.detect.words import squash, tokens

__all__ = ["THRESHOLD", "Category", "Context", "Evidence", "Tag", "categories", "category", "classify_column",
           "classify_table", "declares", "squash", "table_context", "tokens"]

# Confidence of one piece of evidence; pieces combine as independent signals: 1 - prod(1 - c).
NAME_CONFIDENCE = 0.9
TOKEN_CONFIDENCE = 0.8
# A name that is origin data only when a person is described ("country_of_origin" of a client, not of a product):
# reported only in a person table, where the context lifts it above the threshold.
WEAK_CONFIDENCE = 0.45
COMMENT_CONFIDENCE = 0.75
# A value set's weight, times the share of sampled values in it: alone for sets that name a category
# (nationality adjectives, CBS origin classes, ethnicity terms), as support for country-like sets.
VALUE_CONFIDENCE = 0.8
COUNTRY_VALUE_CONFIDENCE = 0.6
# A column named as a place (country, land, address, ...) is not silent about what it holds: where someone lives or
# something is, so values alone do not make it origin data.
LOCATION = re.compile(r"(country|land|cntry|ctry|landcode|countrycode|adres|address|domicile|residence|woonplaats)$")
# A place named as part of a country: its codes are not countries, however much they look like ISO numeric ones.
SUBNATIONAL = re.compile(r"provinc|region|(?<!united)state(?!s?less)|staat|gemeente|municip|city|stad|town|county|district|commun")
# A comment's value label that says where someone was born: "1 born in Canada", "2 = geboren in het buitenland".
CODED_BORN = re.compile(r"\b\d+\s*[=:.)-]?\s*(born|geboren|nacido|nacida)\b", re.IGNORECASE)
# Tags below this are not reported (documented in the README).
THRESHOLD = 0.5
# Table context: a person table adds a signal of this weight to a tag; a table about things or organisations
# multiplies a tag's confidence by NON_PERSON_FACTOR (enough to drop a name-only tag below the threshold), and so
# does a code table (CODE_TABLE_FACTOR): it holds the code list, not people.
PERSON_CONTEXT_CONFIDENCE = 0.3
NON_PERSON_FACTOR = 0.5
CODE_TABLE_FACTOR = 0.5
# A column that records a step of the procedure a table is named for (reden_opname in a table of nationalities,
# soort_verzoek in a naturalisation dossier) belongs to that category, less surely than one that names it.
PROCEDURE_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Context:
    """What the table a column sits in describes: 'person', 'non_person', 'code' or '' (unknown), and why."""

    kind: str = ""
    detail: str = ""
    about: str = ""  # the category of the procedure a person table is named for, if any (see PROCEDURE_CONFIDENCE)


def table_context(table: str, columns: list[str]) -> Context:
    """Judge a table from its name and its columns' names, and say whether it holds persons' records of a
    nationality procedure (a code table of its reasons holds no one's record)."""
    context = _table_kind(table, columns)
    holds_procedure = context.kind == "person" and procedure_table(table)
    return replace(context, about="nationality") if holds_procedure else context


def _table_kind(table: str, columns: list[str]) -> Context:
    """Persons, things, codes or unknown, from the table's name first and then its columns' names."""
    vocab = context_vocabulary()
    lowered = table.lower()
    words = set(tokens(table)) | {lowered}
    # The table's own name first: GBA-V's person list is lo3_pl_persoon, though lo3_ also starts its code tables;
    # a studbook of horses has birth dates, yet describes horses.
    persons = sorted({squash(c) for c in columns} & set(vocab["person_columns"]))
    # a glued table name starts with its noun: klantbeeld, statushouderhuisvesting (short words only whole); a table
    # named for the persons it lists is about them, whoever they belong to (company_officers), unless it lists codes
    head = [w for w in tokens(table) if not w.isdigit()][-1:]
    code_list = any(lowered.startswith(p) for p in vocab["code_table_prefixes"])
    if words & set(vocab["person_tables"]) or any(
            w.startswith(p) for w in words for p in vocab["person_tables"] if len(p) >= 5) or (
            set(head) & set(vocab["person_words"]) and not code_list):
        return Context("person", f"person table ({', '.join(persons[:3]) or table})")
    if words & set(vocab["non_person_tables"]):
        return Context("non_person", f"table {table} describes things or organisations")
    if persons:
        return Context("person", f"person table ({', '.join(persons[:3])})")
    if code_list:
        # a code table holds one list; a GBA-V message (lo3_gv01_mutatie) has a birth country and a nationality
        kinds = sorted({h.category.id for c in columns for h in match_name(c)
                        if h.kind in ("name", "token") and not h.category.id.startswith("proxy:")})
        if len(kinds) >= 2:
            return Context("person", f"origin columns of {len(kinds)} kinds in {table}")
        return Context("code", f"code table {table}")
    return Context()


@dataclass(frozen=True)
class Evidence:
    rule: str  # name | comment | values | context
    detail: str
    ratio: float | None = None
    sampled: int | None = None

    def to_json(self) -> dict:
        out: dict = {"rule": self.rule, "detail": self.detail}
        if self.ratio is not None:
            out["ratio"] = round(self.ratio, 4)
        if self.sampled is not None:
            out["sampled"] = self.sampled
        return out


@dataclass(frozen=True)
class Tag:
    category: str
    confidence: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def direct(self) -> bool:
        return not self.category.startswith("proxy:")

    def to_json(self) -> dict:
        return {"category": self.category, "confidence": round(self.confidence, 3),
                "evidence": [e.to_json() for e in self.evidence]}


def classify_column(name: str, comment: str | None = None, profile: values.Profile | None = None,
                    context: Context | None = None) -> list[Tag]:
    """Origin tags of one column from its name, comment, sampled-value profile and table context: direct tags
    first, strongest first within each kind."""
    evidence: dict[str, list[tuple[float, Evidence]]] = {}
    kinds: dict[str, set[str]] = {}  # which kinds of rule found each category
    name_hits = match_name(name)
    for hit in name_hits:
        confidence = {"name": NAME_CONFIDENCE, "token": TOKEN_CONFIDENCE, "weak": WEAK_CONFIDENCE}[hit.kind]
        evidence.setdefault(hit.category.id, []).append((confidence, Evidence("name", hit.matched)))
        kinds.setdefault(hit.category.id, set()).add(hit.kind)
    # When the name says what the column holds, the conditions a comment states are about someone else.
    named = frozenset(hit.category.id for hit in name_hits if hit.kind in ("name", "token"))
    comment_hits = match_comment(comment, named, conditions=not name_hits) if comment else []
    for hit in comment_hits:
        confidence = WEAK_CONFIDENCE if hit.kind == "weak" else COMMENT_CONFIDENCE
        evidence.setdefault(hit.category.id, []).append((confidence, Evidence("comment", hit.matched)))
        kinds.setdefault(hit.category.id, set()).add(hit.kind)
    if comment and not comment_hits:
        _qualify_by_comment(evidence, kinds, comment)
    if not evidence and context is not None and context.about and procedure_step(name):
        step = Evidence("context", f"a step of the table's {context.about} procedure")
        evidence[context.about] = [(PROCEDURE_CONFIDENCE, step)]
        kinds[context.about] = {"procedure"}
    _merge_qualified(evidence, kinds)
    subnational = bool(SUBNATIONAL.search(squash(f"{name} {comment or ''}")))
    _country_level(evidence, kinds, comment or "", subnational)
    if context is None or context.kind != "person":
        _drop(evidence, {c for c, k in kinds.items() if k == {"weak"}})
    # In passing first: "Taal interview: 1 Nederlands, 2 Turks, 3 Marokkaans" lists languages, whether or not the
    # language of an interview counts.
    _drop_in_passing(evidence, {c for c, k in kinds.items() if k == {"fallback"}})
    ruled_out = vetoed(comment)
    _drop(evidence, ruled_out)
    # A more specific category found by name or comment makes the general one redundant (a second nationality is
    # no first one; a parent's birth country is not the person's), whichever of the two found which.
    for cat in categories():
        if cat.id in evidence:
            _drop(evidence, set(cat.shadows))
    # What the name itself rules out (``race_source``: how a race was recorded), its comment cannot bring back.
    look_alike = look_alikes(name)
    _drop(evidence, look_alike)
    if profile is not None:
        _value_evidence(evidence, profile, silent=not evidence and not LOCATION.search(squash(name)),
                        excluded=ruled_out | look_alike, subnational=subnational)
    context = _for_column(name, comment, name_hits, context)
    tags = []
    for cat_id, pieces in evidence.items():
        doubt = 1.0
        for confidence, _ in pieces:
            doubt *= 1 - confidence
        confidence = 1 - doubt
        found = tuple(e for _, e in pieces)
        if context is not None and context.kind:
            confidence, found = _in_context(confidence, found, context)
        confidence = round(confidence, 3)
        if confidence >= THRESHOLD:
            tags.append(Tag(cat_id, confidence, found))
    return sorted(tags, key=lambda t: (not t.direct, -t.confidence))


class CatalogColumn(Protocol):
    name: str
    catalog_name: str
    comment: str | None
    profile: object | None


class CatalogTable(Protocol):
    name: str
    catalog_name: str
    columns: list


def classify_table(table: CatalogTable) -> list[tuple[CatalogColumn, list[Tag]]]:
    """Every column of an inventoried table (``connectors.database.Table``) with its tags, read as the catalog spells
    the names: a case-insensitive catalog (SQLite, MySQL, SQL Server) folds its identities to lower case, and
    ``belongsToClanOrTribe`` folded has lost the words a token rule reads."""
    def spelled(item: CatalogTable | CatalogColumn) -> str:
        return item.catalog_name or item.name

    context = table_context(spelled(table), [spelled(c) for c in table.columns])
    return [(c, classify_column(spelled(c), c.comment, c.profile, context)) for c in table.columns]


def _for_column(name: str, comment: str | None, name_hits: list[Hit], context: Context | None) -> Context | None:
    """A column that names a person in a table about things (``principalMakers_nationality`` of a museum object,
    ``owner_nationality`` of a vessel, a team's ``nationality`` commented "Player nationality") is about that person:
    the table's kind says nothing about it. A comment names the person first; one that mentions persons later
    ("percentage inwoners met ...") need not be about one."""
    if context is None or context.kind != "non_person":
        return context
    vocab = context_vocabulary()
    nouns = set(vocab["person_tables"]) | set(vocab["person_words"])
    # PostgreSQL folds principalMakers to principalmakers: longer nouns count inside a word, short ones only whole,
    # and never inside the category's own word (the citizen in citizenship)
    flat = squash(name)
    for hit in name_hits:
        flat = flat.replace(squash(hit.matched.split(" + ")[0]), " ")
    named = (set(tokens(name)) | set(tokens(comment or "")[:1])) & nouns or any(n in flat for n in nouns if len(n) >= 5)
    return Context() if named else context


def _drop(evidence: dict[str, list], category_ids: set[str]) -> None:
    for cat_id in category_ids:
        evidence.pop(cat_id, None)


def _qualify_by_comment(evidence: dict[str, list], kinds: dict[str, set[str]], comment: str) -> None:
    """The name says birth country, the comment only whose ("En uw moeder?"): the parent's."""
    for q in qualifiers():
        word = qualifier_in(comment, q.category) if q.category in evidence and q.becomes not in evidence else None
        if word is not None:
            evidence[q.becomes] = evidence.pop(q.category) + [(COMMENT_CONFIDENCE, Evidence("comment", word))]
            kinds[q.becomes] = kinds.pop(q.category) | {"token"}


def _country_level(evidence: dict[str, list], kinds: dict[str, set[str]], comment: str, subnational: bool) -> None:
    """A place of birth whose coded values the comment gives as born in a country ("1 born in Canada, 2 born outside
    Canada") is a country of birth, unless it is named as a province, region or town. A comment that only says
    someone may be born abroad ("geboren in Nederland of in het buitenland") leaves it a place."""
    if "birthplace" in evidence and kinds.get("birth_country") == {"fallback"} and not subnational and \
            CODED_BORN.search(comment):
        evidence["birth_country"] += evidence.pop("birthplace")
        kinds["birth_country"] |= kinds.pop("birthplace")


def _merge_qualified(evidence: dict[str, list], kinds: dict[str, set[str]]) -> None:
    """A qualified tag from one source outranks the general one from another (the name says geboorteland, the
    comment says it is the mother's): one tag, with both pieces of evidence."""
    for q in qualifiers():
        if q.becomes in evidence and q.category in evidence:
            evidence[q.becomes].extend(evidence.pop(q.category))
            kinds[q.becomes] |= kinds.pop(q.category)


def _drop_in_passing(evidence: dict[str, list], fallback_only: set[str]) -> None:
    """A comment that mentions rather than names counts only when nothing else does: being born abroad while defining
    something else ('Migratiegeneratie (1 = zelf geboren in buitenland)') is no birth country, and Turks, Pools and
    Arabisch as value labels of a home language (or of a nationality column) are no migration background, and a
    'residence permit of foreign nationals' is a permit, not a nationality."""
    outranking = {"proxy:language", "proxy:residence_permit"}
    others = ({c.id for c in categories() if not c.id.startswith("proxy:")} | outranking) - fallback_only
    _drop(evidence, {c for c in fallback_only if any(other in evidence for other in others)})


def _in_context(confidence: float, found: tuple[Evidence, ...], context: Context) -> tuple[float, tuple[Evidence, ...]]:
    if context.kind == "person":
        return 1 - (1 - confidence) * (1 - PERSON_CONTEXT_CONFIDENCE), found + (Evidence("context", context.detail),)
    factor = NON_PERSON_FACTOR if context.kind == "non_person" else CODE_TABLE_FACTOR
    return confidence * factor, found + (Evidence("context", context.detail),)


def _value_evidence(evidence: dict[str, list[tuple[float, Evidence]]], profile: values.Profile, silent: bool,
                    excluded: set[str] = frozenset(), subnational: bool = False) -> None:
    """Add what the sample shows: support for a tag the name or comment gave, or, for a column they say nothing
    about (``silent``), a category of its own (language names in Dutch are nationality adjectives: 'Turks' in a
    home-language column must not outvote its name).

    A place of birth whose values are countries is a country of birth (census recodes, ``pob`` columns), unless
    the name or comment says it is a province, region or town: their numeric codes look like ISO numeric ones."""
    found = values.evidence(profile)
    if "birthplace" in evidence and "birth_country" not in evidence and not subnational and \
            any(set_name in values.COUNTRY_SETS for set_name, _ in found):
        evidence["birth_country"] = evidence.pop("birthplace")
    for set_name, ratio in found:
        piece = Evidence("values", values.SET_LABELS[set_name], ratio, profile.sampled)
        if values.SET_CATEGORY.get(set_name) in excluded:
            continue
        if set_name in values.SET_CATEGORY and (silent or values.SET_CATEGORY[set_name] in evidence):
            evidence.setdefault(values.SET_CATEGORY[set_name], []).append((VALUE_CONFIDENCE * ratio, piece))
        else:
            for cat_id in [c for c in evidence if c in values.COUNTRY_VALUED]:
                if not any(e.rule == "values" and e.detail == piece.detail for _, e in evidence[cat_id]):
                    evidence[cat_id].append((COUNTRY_VALUE_CONFIDENCE * ratio, piece))


def declares(text: str, category_id: str) -> bool:
    """Does a register text (``source_data``) declare this kind of origin data?"""
    cat = category(category_id)
    lowered = (text or "").lower()
    return bool(cat) and any(term in lowered for term in cat.declared)
