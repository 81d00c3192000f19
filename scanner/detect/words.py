"""How names and comments are normalised before matching: accents folded, squashed, split into tokens."""

from __future__ import annotations

import re
import unicodedata


# Letters Unicode does not decompose into a base letter and an accent.
LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                         "þ": "th", "Þ": "TH", "œ": "oe", "Œ": "OE", "ı": "i", "İ": "I"})


def fold(text: str) -> str:
    """Without accents: 'país de nacimiento', 'Staatsangehörigkeit' and 'fødselsland' read as the vocabulary writes
    them."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.translate(LETTERS)) if not unicodedata.combining(c))


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
