"""The plain DML inside routine bodies: PostgreSQL SQL/PL/pgSQL functions and procedures, T-SQL procedures.

Control flow (IF, LOOP, WHILE, variables) is not lineage and is skipped: what is kept are the INSERT, UPDATE,
DELETE, MERGE and SELECT statements, each with the line it starts on, for the extractor to analyse like any other
statement. Dynamic SQL (EXECUTE of a string) is not followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

ROUTINES = {"FUNCTION", "PROCEDURE", "PROC", "TRIGGER"}
_DML = {TokenType.INSERT, TokenType.UPDATE, TokenType.DELETE, TokenType.MERGE}
_QUERY = {TokenType.SELECT, TokenType.WITH}
_SET_OPERATORS = {TokenType.UNION, TokenType.EXCEPT, TokenType.INTERSECT, TokenType.ALL, TokenType.DISTINCT}
# Words that begin control flow or procedural statements: at the top level they end the current statement.
_CONTROL = {"IF", "ELSIF", "ELSEIF", "WHILE", "LOOP", "FOR", "FOREACH", "BEGIN", "END", "ELSE", "THEN", "DECLARE",
            "RETURN", "RETURNS", "PRINT", "EXEC", "EXECUTE", "RAISERROR", "RAISE", "THROW", "PERFORM", "GET",
            "OPEN", "FETCH", "CLOSE", "DEALLOCATE", "COMMIT", "ROLLBACK", "BREAK", "CONTINUE", "GOTO", "TRY",
            "CATCH", "EXIT", "CALL", "SET", "TRUNCATE", "ASSERT", "NULL"}


# A top-level chunk starting with one of these is control flow (T-SQL scripts, PL/pgSQL DO blocks' insides).
CONTROL_STARTS = {"IF", "WHILE", "BEGIN", "DECLARE"}


@dataclass(frozen=True)
class Body:
    """A routine's body: its language and the DML statements in it as (text, line in the file)."""

    name: str
    language: str
    statements: tuple[tuple[str, int], ...]


def routine(tokens: list[Token], sql: str, dialect: str, line: int) -> Body | None:
    """If these tokens define a routine (CREATE [OR REPLACE|ALTER] FUNCTION|PROCEDURE ...) or are a PostgreSQL
    anonymous block (DO $$ ... $$), its body's DML."""
    words = [t.text.upper() for t in tokens[:5]]
    if words[:1] == ["DO"]:
        # sqlglot reads DO as a command: the rest, dollar quotes included, arrives as one raw string.
        rest = sql[tokens[1].start:tokens[-1].end + 1] if len(tokens) > 1 else ""
        quoted = re.match(r"\s*(?:LANGUAGE\s+\w+\s+)?(\$\w*\$)(.*?)\1", rest, re.DOTALL | re.IGNORECASE)
        if quoted is None:
            return None
        start = tokens[1].start + quoted.start(2)
        first_line = line + sql.count("\n", tokens[0].start, start)
        return Body("DO block", "plpgsql", tuple(dml_statements(quoted.group(2), dialect, first_line)))
    if not words or words[0] not in ("CREATE", "ALTER"):
        return None
    kind_at = next((i for i, w in enumerate(words[1:4], 1) if w in ROUTINES), None)
    if kind_at is None or any(w not in ("OR", "REPLACE", "ALTER") for w in words[1:kind_at]):
        return None
    name = tokens[kind_at + 1].text if len(tokens) > kind_at + 1 else "?"
    language = _language(tokens) or ("tsql" if dialect == "tsql" else "sql")
    body = _body(tokens, sql, kind_at)
    if body is None:
        return Body(name, language, ())
    text, start = body
    first_line = line + sql.count("\n", tokens[0].start, start)
    if language.lower() not in ("sql", "plpgsql", "tsql"):
        return Body(name, language, ())
    return Body(name, language, tuple(dml_statements(text, dialect, first_line)))


def dml_statements(body: str, dialect: str, line: int = 1) -> list[tuple[str, int]]:
    """The DML statements of a routine body with their lines; everything else (control flow) is passed over."""
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(body)
    except TokenError:
        return []
    spans: list[tuple[int, int]] = []
    start: int | None = None  # token index where the current statement starts
    kind: TokenType | None = None
    depth = case = 0
    previous: Token | None = None

    def close(end: int) -> None:
        nonlocal start, kind
        if start is not None and end > start:
            spans.append((start, end))
        start, kind = None, None

    for index, token in enumerate(tokens):
        kind_now = token.token_type
        word = token.text.upper()
        if kind_now == TokenType.L_PAREN:
            depth += 1
        elif kind_now == TokenType.R_PAREN:
            depth -= 1
        elif kind_now == TokenType.CASE:
            case += 1
        elif word == "END" and case:
            case -= 1
            previous = token
            continue
        if depth or case:
            previous = token
            continue
        if kind_now == TokenType.SEMICOLON:
            close(index)
        elif kind_now in _DML:
            if kind != TokenType.MERGE:  # MERGE ... WHEN MATCHED THEN UPDATE is one statement
                close(index)
                start, kind = index, kind_now
        elif kind_now in _QUERY:
            continues = kind in (TokenType.INSERT, TokenType.WITH) or (
                kind is not None and previous is not None and previous.token_type in _SET_OPERATORS)
            if kind == TokenType.MERGE or continues:
                pass
            else:
                close(index)
                start, kind = index, kind_now
        elif word == "SET" and kind in (TokenType.UPDATE, TokenType.MERGE):
            pass
        elif word in _CONTROL and not (word == "ELSE" and case):
            close(index)
        previous = token
    close(len(tokens))
    out = []
    for first, end in spans:
        text = body[tokens[first].start:tokens[end - 1].end + 1]
        out.append((text, line + tokens[first].line - 1))
    for token in tokens:
        if token.token_type == TokenType.STRING and body[token.start:token.start + 1] not in ("'", '"', "N", "E", "$"):
            # A T-SQL END (a "command" to sqlglot's tokenizer) swallows the rest up to ';' as raw text.
            out += dml_statements(token.text, dialect, line + token.line - 1)
    return sorted(out, key=lambda item: item[1])


def _language(tokens: list[Token]) -> str | None:
    for index, token in enumerate(tokens[:-1]):
        if token.text.upper() == "LANGUAGE":
            return tokens[index + 1].text.strip("'\"").lower()
    return None


def _body(tokens: list[Token], sql: str, kind_at: int) -> tuple[str, int] | None:
    """The body text and where it starts in ``sql``: a PostgreSQL string ($$...$$ or '...') after AS, or for
    T-SQL everything after the top-level AS."""
    depth = 0
    for index in range(kind_at + 1, len(tokens)):
        token = tokens[index]
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and token.token_type == TokenType.ALIAS:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None:
                return None
            if following.token_type in (TokenType.HEREDOC_STRING, TokenType.STRING):
                # The token's text is the string's content; find where that content starts in the source.
                offset = sql.find(following.text, following.start)
                return following.text, offset if offset >= 0 else following.start
            return sql[following.start:tokens[-1].end + 1], following.start
    for token in tokens[kind_at + 1:]:  # PostgreSQL also allows the body before LANGUAGE without AS ... or after
        if token.token_type == TokenType.HEREDOC_STRING:
            offset = sql.find(token.text, token.start)
            return token.text, offset if offset >= 0 else token.start
    return None
