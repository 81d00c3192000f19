"""Tagging origin columns by name and comment, with the evidence for every tag (design §Origin tags).

Evidence holds what matched and where (a rule and its pattern), never a value from the data.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from scanner.detect import values

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
SUBNATIONAL = re.compile(r"provinc|region|state(?!s?less)|staat|gemeente|municip|city|stad|town|county|district|commun")
# Tags below this are not reported (documented in the README).
THRESHOLD = 0.5
# Table context: a person table adds a signal of this weight to a tag; a table about things or organisations
# multiplies a tag's confidence by NON_PERSON_FACTOR (enough to drop a name-only tag below the threshold), and so
# does a code table (CODE_TABLE_FACTOR): it holds the code list, not people.
PERSON_CONTEXT_CONFIDENCE = 0.3
NON_PERSON_FACTOR = 0.5
CODE_TABLE_FACTOR = 0.5


@dataclass(frozen=True)
class Context:
    """What the table a column sits in describes: 'person', 'non_person', 'code' or '' (unknown), and why."""

    kind: str = ""
    detail: str = ""


def table_context(table: str, columns: list[str]) -> Context:
    """Judge a table from its name and its columns' names."""
    vocab = _context_vocabulary()
    lowered = table.lower()
    words = set(tokens(table)) | {lowered}
    # The table's own name first: GBA-V's person list is lo3_pl_persoon, though lo3_ also starts its code tables;
    # a studbook of horses has birth dates, yet describes horses.
    persons = sorted({squash(c) for c in columns} & set(vocab["person_columns"]))
    # a glued table name starts with its noun: klantbeeld, statushouderhuisvesting (short words only whole)
    if words & set(vocab["person_tables"]) or any(
            w.startswith(p) for w in words for p in vocab["person_tables"] if len(p) >= 5):
        return Context("person", f"person table ({', '.join(persons[:3]) or table})")
    if words & set(vocab["non_person_tables"]):
        return Context("non_person", f"table {table} describes things or organisations")
    if persons:
        return Context("person", f"person table ({', '.join(persons[:3])})")
    if any(lowered.startswith(p) for p in vocab["code_table_prefixes"]):
        return Context("code", f"code table {table}")
    return Context()


@lru_cache(maxsize=1)
def _context_vocabulary() -> dict:
    text = resources.files("scanner.detect").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["context"]


@dataclass(frozen=True)
class Evidence:
    rule: str  # name | comment | values
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


@dataclass(frozen=True)
class Category:
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
    vetoes: tuple[re.Pattern, ...] = ()
    veto_words: tuple[re.Pattern, ...] = ()


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    """The shipped vocabulary, in the order categories are tried."""
    text = resources.files("scanner.detect").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tuple(
        Category(
            id=c["id"], label_nl=c["label_nl"], label_en=c["label_en"],
            names=_any_of(c["names"]), tokens=_any_of(c["tokens"]), abbreviations=_any_of(c.get("abbreviations", [])),
            negatives=_any_of(c["not"]),
            weak=_any_of(c.get("weak", [])), together=tuple(_any_of(g)[0] for g in c.get("together", [])),
            in_prose=tuple(re.compile(_with_country_names(p)) for p in c.get("in_prose", [])), shadows=tuple(c["shadows"]), declared=tuple(c["declared"]),
            vetoes=_any_of(c.get("veto", [])), veto_words=_any_of(c.get("veto_words", [])))
        for c in tomllib.loads(text)["category"]
    )


@dataclass(frozen=True)
class Qualifier:
    """A word anywhere in a name or comment that turns one category into a more specific one: a birth country
    with 'ouders' or 'mother' in it is a parent's (StUF-BG ``heeftAlsOuders_1_..._geboorteLand``)."""

    category: str
    becomes: str
    tokens: tuple[re.Pattern, ...]
    glued: tuple[re.Pattern, ...] = ()


@lru_cache(maxsize=1)
def qualifiers() -> tuple[Qualifier, ...]:
    text = resources.files("scanner.detect").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tuple(Qualifier(q["category"], q["becomes"], _any_of(q["tokens"]), _any_of(q.get("glued", [])))
                 for q in tomllib.loads(text).get("qualifier", []))


def _with_country_names(pattern: str) -> str:
    """``{country_names}`` in a pattern stands for every country's name in Dutch and English ('the United States',
    'Nederland'), from the same sets the value sampling uses."""
    if "{country_names}" not in pattern:
        return pattern
    sets = values.value_sets()
    names = sorted(sets["country_name_en"] | sets["country_name_nl"], key=len, reverse=True)
    return pattern.replace("{country_names}", "|".join(re.escape(fold(n)) for n in names))


def _any_of(patterns: list[str]) -> tuple[re.Pattern, ...]:
    """The patterns as one alternation: a column is matched against hundreds of them, and one regex scan is an
    order of magnitude faster than a Python loop over many."""
    return (re.compile("|".join(f"(?:{p})" for p in patterns)),) if patterns else ()


def category(category_id: str) -> Category | None:
    return next((c for c in categories() if c.id == category_id), None)


def fold(text: str) -> str:
    """Without accents: 'país de nacimiento' and 'Staatsangehörigkeit' read as the vocabulary writes them."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", fold(text).lower())


def tokens(text: str) -> list[str]:
    """Split snake_case, camelCase, PascalCase, UPPER and letter/digit boundaries into lower-case tokens."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", fold(text))
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    spaced = re.sub(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])", " ", spaced)
    return [t for t in re.split(r"[^0-9a-z]+", spaced.lower()) if t]


# Words a data dictionary puts between the words of a term ("country of birth of the mother"); a comment is also
# matched without them.
FILLERS = re.compile(r"\b(of|the|a|an|for|van|de|het|der|den|des|voor|du|la|le|les|d|l|s)\b")


def without_fillers(text: str) -> str:
    return FILLERS.sub(" ", re.sub(r"['\u2019]", " ", text.lower()))


def match_text(text: str, prose: bool = False, qualify: bool = True) -> list[tuple[Category, str, str]]:
    """Categories whose vocabulary matches ``text``: (category, 'name'|'token'|'weak'|'prose', the part of the text
    that matched). In ``prose`` (a comment) words that merely occur together say nothing ('bij geboorte buiten Nederland
    plaats en land'), so `together` rules are for names only."""
    flat = squash(text)
    parts = tokens(text)
    found: list[tuple[Category, str, str]] = []
    shadowed: set[str] = set()
    for cat in categories():
        if cat.id in shadowed or any(n.search(flat) for n in cat.negatives):
            continue
        hit = next((("name", m.group(0)) for p in cat.names if (m := p.search(flat))), None)
        if hit is None:
            words = cat.tokens if prose else cat.tokens + cat.abbreviations
            hit = next((("token", t) for p in words for t in parts if p.fullmatch(t)), None)
        if hit is None and cat.together and not prose:
            words = [next((t for t in parts if g.fullmatch(t)), None) for g in cat.together]
            hit = ("token", " + ".join(words)) if all(words) else None
        if hit is None and cat.in_prose and prose:
            sentence = " ".join(parts)
            words = [m.group(0) if (m := g.search(sentence)) else None for g in cat.in_prose]
            hit = ("prose", " + ".join(words)) if all(words) else None
        if hit is None:
            hit = next((("weak", m.group(0)) for p in cat.weak if (m := p.search(flat))), None)
        if hit is not None:
            found.append((cat, *hit))
            if hit[0] != "prose":  # a sentence in passing shadows nothing (see classify_column)
                shadowed.update(cat.shadows)
    return _qualified(found, parts, prose) if qualify else found


def _qualified(found: list[tuple[Category, str, str]], parts: list[str], prose: bool) -> list[tuple[Category, str, str]]:
    ids = {cat.id for cat, _, _ in found}
    flat = "".join(parts)
    for q in qualifiers():
        word = next((t for t in parts if any(p.fullmatch(t) for p in q.tokens)), None)
        if word is None and not prose:  # a sentence may end in 'ouders' for other reasons
            word = next((m.group(0) for p in q.glued if (m := p.search(flat))), None)
        if word is not None and q.category in ids and q.becomes not in ids:
            found = [(category(q.becomes), how, f"{matched} + {word}") if cat.id == q.category else (cat, how, matched)
                     for cat, how, matched in found]
    return found


def _match_comment(comment: str) -> list[tuple[Category, str, str]]:
    """A comment's matches, as written and without filler words, each category once. A parent word qualifies a
    birth country only in its own clause ('Geboorteland van het kind, zoals opgegeven door de ouders')."""
    forms = (comment, without_fillers(comment))
    # A look-alike rule that holds for either form holds for the comment ("herkomst van de liquide middelen").
    negated = {cat.id for cat in categories() for f in forms if any(n.search(squash(f)) for n in cat.negatives)}
    found: dict[str, tuple[Category, str, str]] = {}
    for text in forms:
        for hit in match_text(text, prose=True, qualify=False):
            if hit[0].id not in negated and (hit[0].id not in found or found[hit[0].id][1] == "weak"):
                found[hit[0].id] = hit
    for clause in re.split(r"[,;()]", comment):
        for text in (clause, without_fillers(clause)):
            for hit in match_text(text, prose=True):
                q = next((q for q in qualifiers() if q.becomes == hit[0].id and q.category in found), None)
                if q is not None and hit[0].id not in negated:
                    del found[q.category]
                    found[hit[0].id] = hit
    return list(found.values())


def vetoed(comment: str | None) -> set[str]:
    """Categories a column's comment rules out, whatever its name or values say: it says what the column is about
    (``herkomst``: 'provenance of the object', ``ras_hond1``: 'ras van de hond')."""
    if not comment:
        return set()
    forms = (squash(comment), squash(without_fillers(comment)))
    words = tokens(comment)
    return {cat.id for cat in categories()
            if any(v.search(f) for v in cat.vetoes for f in forms) or any(v.fullmatch(w) for v in cat.veto_words for w in words)}


def look_alikes(name: str) -> set[str]:
    """Categories whose look-alike rules a name hits: its values cannot make it one either (``restaurant_cuisine``
    holding 'Turks' and 'Italiaans')."""
    flat = squash(name)
    return {cat.id for cat in categories() if any(n.search(flat) for n in cat.negatives)}


def classify_column(name: str, comment: str | None = None, profile: values.Profile | None = None,
                    context: Context | None = None) -> list[Tag]:
    """Origin tags of one column from its name, comment, sampled-value profile and table context: direct tags
    first, strongest first within each kind."""
    evidence: dict[str, list[tuple[float, Evidence]]] = {}
    for cat, how, matched in match_text(name):
        confidence = {"name": NAME_CONFIDENCE, "token": TOKEN_CONFIDENCE}.get(how, WEAK_CONFIDENCE)
        evidence.setdefault(cat.id, []).append((confidence, Evidence("name", matched)))
    in_passing: set[str] = set()
    if comment:
        for cat, how, matched in _match_comment(comment):
            confidence = WEAK_CONFIDENCE if how == "weak" else COMMENT_CONFIDENCE
            evidence.setdefault(cat.id, []).append((confidence, Evidence("comment", matched)))
            if how == "prose" and len(evidence[cat.id]) == 1:
                in_passing.add(cat.id)
    # A sentence that mentions being born abroad while defining something else ('Migratiegeneratie (1 = zelf
    # geboren in buitenland)') does not make a birth country: it counts only when nothing else was found.
    direct = {c.id for c in categories() if not c.id.startswith("proxy:")}
    for cat_id in in_passing:
        if any(other in evidence for other in direct - {cat_id}):
            evidence.pop(cat_id)
    # A qualified tag from one source outranks the general one from another (the name says geboorteland, the comment
    # says it is the mother's).
    for q in qualifiers():
        if q.becomes in evidence and q.category in evidence:
            evidence[q.becomes].extend(evidence.pop(q.category))
    weak_only = {c for c, pieces in evidence.items() if all(conf == WEAK_CONFIDENCE for conf, _ in pieces)}
    if context is None or context.kind != "person":
        for cat_id in weak_only:
            evidence.pop(cat_id)
    ruled_out = vetoed(comment)
    for cat_id in ruled_out:
        evidence.pop(cat_id, None)
    # A more specific category found by name or comment makes the general one redundant (a second nationality is
    # no first one; a parent's birth country is not the person's), whichever of the two found which.
    for cat in categories():
        if cat.id in evidence:
            for shadowed in cat.shadows:
                evidence.pop(shadowed, None)
    if profile is not None:
        _value_evidence(evidence, profile, silent=not evidence and not LOCATION.search(squash(name)),
                        excluded=ruled_out | look_alikes(name),
                        subnational=bool(SUBNATIONAL.search(squash(f"{name} {comment or ''}"))))
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
