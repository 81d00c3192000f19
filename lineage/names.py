"""Identities of tables and columns (design §Identities).

A column is ``SYSTEM.SCHEMA.TABLE.COLUMN``, lower-cased unless the name was quoted. The same rule must hold for
names read from a database catalog and names written in SQL, so that both resolve to one identity.
"""

from __future__ import annotations

# Dialects whose unquoted identifiers fold to upper case in the catalog (Oracle, Snowflake, DB2): an all-upper
# catalog name was unquoted, anything else was quoted and keeps its case.
UPPER_FOLDING = {"oracle", "snowflake", "db2", "exasol"}
# Dialects that keep case in the catalog and fold unquoted names to lower case (PostgreSQL family): a name with
# upper-case letters in the catalog was quoted.
LOWER_FOLDING = {"postgres", "redshift", "materialize", "risingwave"}


def normalize(name: str, dialect: str, quoted: bool = False) -> str:
    """One part of an identity, as the contract wants it: lower-cased unless it was quoted."""
    if not quoted:
        return name.lower()
    return catalog_name(name, dialect)


def catalog_name(name: str, dialect: str) -> str:
    """Normalize a name as a catalog returns it; quoting is inferred from its case."""
    if dialect in UPPER_FOLDING:
        return name.lower() if name == name.upper() else name
    if dialect in LOWER_FOLDING:
        return name
    # Case-insensitive dialects (SQLite, MySQL, SQL Server, DuckDB, Spark, BigQuery columns): case never matters.
    return name.lower()


def table_id(system: str, schema: str, table: str) -> str:
    return f"{system}.{schema}.{table}"


def column_id(system: str, schema: str, table: str, column: str) -> str:
    return f"{system}.{schema}.{table}.{column}"


def split_column_id(identity: str) -> tuple[str, str]:
    """Split ``sys.schema.table.column`` into its table identity and column name."""
    table, _, column = identity.rpartition(".")
    return table, column
