"""Which categories a name or a comment matches, by the vocabulary's rules, and which a comment rules out."""

from __future__ import annotations

import re

from scanner.detect.vocabulary import Category, categories, category, qualifiers
from scanner.detect.words import squash, tokens, without_fillers


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


def match_comment(comment: str) -> list[tuple[Category, str, str]]:
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
