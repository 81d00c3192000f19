"""Which categories a name or a comment matches, by the vocabulary's rules, and which a comment rules out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.detect import values
from scanner.detect.vocabulary import Category, categories, category, context_patterns, qualifiers
from scanner.detect.words import fold, squash, tokens, without_fillers

# A comment's clauses: a parent word, or 'born' and a country, count together only within one.
CLAUSE = re.compile(r"[,;]")
# Value labels written in a comment that are origin groups: as many distinct ones make a list of them.
ORIGIN_GROUP_LABELS = 3
# What a comment puts in brackets explains what comes before it: "1 = first generation (born abroad)".
BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# An attitude item of a survey (ISSP and ESS national identity and immigration modules): it asks how important
# something is, or ends asking what should be.
OPINION = re.compile(r"^\W*(q\w*\W+)?(how important|hoe belangrijk|wie wichtig)\b|\b(should be|zou moeten zijn)\W*$",
                     re.IGNORECASE)
# A comment that says the column holds no one's data: a statistic's dimension, a total ("totalen, geen
# persoonsgegevens").
NO_PERSON = re.compile(r"\b(geen persoonsgegevens|no personal data|not personal data|keine personenbezogenen daten)\b",
                       re.IGNORECASE)
# A condition says to whom a column applies, not what it holds: "Alleen voor aanvragers zonder Nederlandse
# nationaliteit: nummer verblijfsdocument", "only if born abroad". It runs to the next punctuation mark.
CONDITION = re.compile(r"\b(alleen|uitsluitend|only|indien|if|unless|tenzij|zonder|without|bij een|bij niet)\b[^:;,.()?!]*",
                       re.IGNORECASE)
# Brackets that say who reported explain ("(parent report)"); others may say whose ("(mother)", "(alleen moeder)").
EXPLANATION = re.compile(r"\([^()]*\b(report|reported|proxy|opgave|opgegeven|volgens|according|door|by|zelfrapportage|"
                         r"self-report)\b[^()]*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One category a text matched: by which kind of rule, and the part of the text that matched (never a value).

    kind: 'name' (a squashed pattern), 'token' (a whole word or words together), 'weak' (counts only in a table
    about persons) or 'fallback' (a comment that mentions rather than names: 'born' and a country in one clause,
    or a list of origin groups as value labels; counts only when nothing else was found)."""

    category: Category
    kind: str
    matched: str


def match_name(name: str) -> list[Hit]:
    """Categories a column name matches, a parent word anywhere in it qualifying a birth country."""
    flat, parts = squash(name), tokens(name)
    hits = _match(flat, parts, abbreviations=True, together=True)
    return _qualified(hits, parts, glued=flat)


def match_comment(comment: str, named: frozenset[str] = frozenset(), conditions: bool = True) -> list[Hit]:
    """Categories a comment matches, each once (see ``_comment_hits``), keeping only what the comment's core says
    when its core or the column's name (``named``: what it found) names something. The core leaves out brackets,
    which explain ("1 = first generation (born abroad), 2 = second generation" is a migration background, not a
    birth country), and, unless ``conditions``, the conditions it states ("Alleen voor aanvragers zonder
    Nederlandse nationaliteit: nummer verblijfsdocument"). Brackets and conditions may still make a category more
    specific: "Geboorteland (moeder)", "Citizenship (second)"."""
    hits = _comment_hits(comment)
    core = BRACKETS.sub(" ", comment)
    if not conditions:
        core = without_conditions(core)
    if core == comment:
        return hits
    named = set(named) | {hit.category.id for hit in _comment_hits(core) if hit.kind in ("name", "token")}
    named |= {cat.id for cat in categories() if named & set(cat.shadows)}
    return [hit for hit in hits if hit.category.id in named] if named else hits


def without_conditions(comment: str) -> str:
    """A comment without the conditions it states."""
    return CONDITION.sub(" ", comment)


def _comment_hits(comment: str) -> list[Hit]:
    """The comment as written and without filler words; then clause by clause, where a parent word qualifies a birth
    country ('Geboorteland van het kind, zoals opgegeven door de ouders' stays the child's) and a sentence with
    'born' and a country makes one. A comment listing three or more origin groups as value labels ('1 Turks 2
    Marokkaans 3 Surinaams') describes a migration background."""
    forms = (comment, without_fillers(comment))
    flats = [squash(f) for f in forms]
    # A look-alike rule that holds for either form holds for the comment ("herkomst van de liquide middelen").
    negated = {cat.id for cat in categories() for f in flats if any(n.search(f) for n in cat.negatives)}
    found: dict[str, Hit] = {}
    for text, flat in zip(forms, flats):
        for hit in _match(flat, tokens(text)):
            if hit.category.id not in negated and (hit.category.id not in found or found[hit.category.id].kind == "weak"):
                found[hit.category.id] = hit
    for clause in CLAUSE.split(comment):
        for text in (clause, without_fillers(clause)):
            parts = tokens(text)
            # a sentence does not count in a condition ("Date of first entry (if not born in the UK)"), and a parent
            # word in brackets says who answered, not whose ("born in the United States (parent report)")
            sentence = " ".join(tokens(without_conditions(text)))
            for hit in _qualified(_match(squash(text), parts, sentence=sentence), tokens(EXPLANATION.sub(" ", text))):
                if hit.category.id in negated:
                    continue
                q = next((q for q in qualifiers() if q.becomes == hit.category.id and q.category in found), None)
                if q is not None:
                    del found[q.category]
                    found[hit.category.id] = hit
                elif hit.kind == "fallback" and hit.category.id not in found:
                    found[hit.category.id] = hit
    groups = _origin_groups(comment)
    if groups and "migration_background" not in found and "migration_background" not in negated:
        found["migration_background"] = Hit(category("migration_background"), "fallback", f"value labels: {groups}")
    return list(found.values())


def _origin_groups(comment: str) -> str | None:
    """The origin groups a comment lists as value labels, each after its code ('1 Turks 2 Marokkaans 3 Surinaams',
    '1=Dutch 2=Indonesian'), if it lists enough of them, or None: 'Dutch, German or French version' lists no codes.
    Compared as words with the nationality adjectives the value sampling uses."""
    adjectives = values.value_sets()["nationality_adjective"]
    parts = tokens(comment)
    found = sorted({t for before, t in zip(parts, parts[1:]) if t in adjectives and before.isdigit()})
    return ", ".join(found) if len(found) >= ORIGIN_GROUP_LABELS else None


def _match(flat: str, parts: list[str], abbreviations: bool = False, together: bool = False,
           sentence: str | None = None) -> list[Hit]:
    """The vocabulary against one text. Abbreviations and words `together` count in names only (in a sentence 'nat'
    is Dutch for wet, and 'birth' and 'land' meet for other reasons); `in_prose` rules only in a clause."""
    found: list[Hit] = []
    shadowed: set[str] = set()
    for cat in categories():
        if cat.id in shadowed or any(n.search(flat) for n in cat.negatives):
            continue
        hit = next((Hit(cat, "name", m.group(0)) for p in cat.names if (m := p.search(flat))), None)
        words = cat.tokens + cat.abbreviations if abbreviations else cat.tokens
        hit = hit or next((Hit(cat, "token", t) for p in words for t in parts if p.fullmatch(t)), None)
        if hit is None and together and cat.together:
            hit = _all_found(cat, "token", [next((t for t in parts if g.fullmatch(t)), None) for g in cat.together])
        if hit is None and sentence is not None and cat.in_prose:
            hit = _all_found(cat, "fallback", [m.group(0) if (m := g.search(sentence)) else None for g in cat.in_prose])
        hit = hit or next((Hit(cat, "weak", m.group(0)) for p in cat.weak if (m := p.search(flat))), None)
        if hit is not None:
            found.append(hit)
            if hit.kind != "fallback":  # a sentence in passing shadows nothing
                shadowed.update(cat.shadows)
    return found


def _all_found(cat: Category, kind: str, words: list[str | None]) -> Hit | None:
    return Hit(cat, kind, " + ".join(words)) if all(words) else None


def _qualified(hits: list[Hit], parts: list[str], glued: str | None = None) -> list[Hit]:
    """A qualifier's word among the tokens (or, in a name, glued to either end: PostgreSQL lower-cases
    GeburtslandVater) turns its category into the more specific one."""
    ids = {hit.category.id for hit in hits}
    for q in qualifiers():
        if q.category not in ids or q.becomes in ids:
            continue
        words = q.tokens + q.name_tokens if glued is not None else q.tokens
        word = next((t for t in parts if any(p.fullmatch(t) for p in words)), None)
        if word is None and glued is not None:
            word = next((m.group(0) for p in q.glued if (m := p.search(glued))), None)
        if word is not None:
            hits = [Hit(category(q.becomes), h.kind, f"{h.matched} + {word}") if h.category.id == q.category else h
                    for h in hits]
    return hits


def qualifier_in(comment: str, category_id: str) -> str | None:
    """A word of a qualifier of ``category_id`` in a comment, for a comment that names no category itself but says
    whose it is: "En uw moeder?" under ``q_gebland_m``. Only a short one: "zoals opgegeven door de ouders" says who
    gave it, not whose it is."""
    parts = tokens(without_fillers(comment))
    if len(parts) > 3:
        return None
    for q in qualifiers():
        if q.category == category_id:
            word = next((t for t in parts if any(p.fullmatch(t) for p in q.tokens)), None)
            if word is not None:
                return word
    return None


def vetoed(comment: str | None) -> set[str]:
    """Categories a column's comment rules out, whatever its name or values say, because it says what the column
    is about ('herkomstgeschiedenis (provenance) van het object', 'ras van de hond'). A survey item asking for an
    opinion ('How important: to have been born in [COUNTRY]') holds an attitude, not the respondent's origin, and a
    comment that says the column holds no personal data is taken at its word."""
    if not comment:
        return set()
    folded = fold(comment)
    if NO_PERSON.search(folded):
        return {cat.id for cat in categories()}
    if OPINION.search(folded):
        return {cat.id for cat in categories() if not cat.id.startswith("proxy:")}
    forms = (squash(comment), squash(without_fillers(comment)))
    return {cat.id for cat in categories() if any(v.search(f) for v in cat.vetoes for f in forms)}


def procedure_table(table: str) -> bool:
    """Is the table named for a nationality procedure or record (naturalisatie_verzoek, persoon_nationaliteit)?"""
    return any(p.search(squash(table)) for p in context_patterns("procedure_tables"))


def procedure_step(name: str) -> bool:
    """Does the column record a step of a procedure (its reason, ground, kind of request, decision, date)?"""
    return any(p.search(squash(name)) for p in context_patterns("procedure_columns"))


def look_alikes(name: str) -> set[str]:
    """Categories whose look-alike rules a name hits: its values cannot make it one either (``restaurant_cuisine``
    holding 'Turks' and 'Italiaans')."""
    flat = squash(name)
    return {cat.id for cat in categories() if any(n.search(flat) for n in cat.negatives)}
