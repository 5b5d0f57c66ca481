"""Moving many new rows into a register table in the caller's transaction, with one audit entry
each: on PostgreSQL by COPY into a temporary staging table, then INSERT … SELECT into the table
and INSERT … SELECT into the audit trail (the row as JSON); elsewhere (SQLite) by executemany
and app.audit.record_many.

`copy_value` and `copy_text` are the one encoder of values into COPY's text format; the demo's
COPY path (app.demo.bulk) and the import benchmark use it too."""

import datetime
import enum
import io

import sqlalchemy as sa

from app import audit
from app.extensions import db, is_postgresql

#: Columns that change on every save: not part of an audit entry's "after".
BOOKKEEPING = ("version", "created_at", "updated_at")
_WITHOUT_BOOKKEEPING = "".join(f" - '{name}'" for name in BOOKKEEPING)


def insert_rows(
    table: sa.Table, names: list[str], rows: list[dict], entity: str, who: tuple, at, region_of
) -> None:
    """Insert `rows` (dicts with every name) and audit each as created. `region_of(row)` gives
    its region code; on PostgreSQL the same is read in SQL from the row's village or household."""
    if not rows:
        return
    if not is_postgresql():
        db.session.execute(
            sa.insert(table), [{name: row.get(name) for name in names} for row in rows]
        )
        audit.record_many(
            [
                audit.entry(
                    "create",
                    entity,
                    row["id"],
                    region_of(row),
                    who=who,
                    after={
                        name: audit.plain(row.get(name))
                        for name in names
                        if name not in BOOKKEEPING
                    },
                )
                for row in rows
            ]
        )
        return
    staged = f"import_stage_{table.name}"
    connection = db.session.connection()
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {staged} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    copy_into(staged, names, rows)
    listed = ", ".join(names)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM {staged}")
    if "village_code" in table.c:
        region, joined = "s.village_code", ""
    else:
        region, joined = "h.village_code", " JOIN household h ON h.id = s.household_id"
    user_id, username, ip_address = who
    connection.execute(
        sa.text(
            "INSERT INTO audit_entry (at, user_id, username, ip_address, action, entity, "
            "entity_id, region_code, after) "
            f"SELECT :at, :user_id, :username, :ip_address, 'create', :entity, CAST(s.id AS TEXT), "
            f"{region}, to_jsonb(s){_WITHOUT_BOOKKEEPING} "
            f"FROM {staged} s{joined}"
        ),
        {
            "at": at,
            "user_id": user_id,
            "username": username,
            "ip_address": ip_address,
            "entity": entity,
        },
    )
    connection.exec_driver_sql(f"DROP TABLE {staged}")


def copy_value(value) -> str:
    """A value as PostgreSQL's COPY text format writes it: NULL as \\N, booleans as t/f,
    enumerations by name (their str() is the translated label), datetimes with a space, and
    backslash, tab and line breaks escaped."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ")
    return str(value)


def copy_text(rows: list[dict], names: list[str] | None = None) -> tuple[list[str], str]:
    """Rows (dicts) as COPY text: (the column names, default the first row's keys; the text)."""
    if not rows:
        return list(names or ()), ""
    names = list(rows[0]) if names is None else list(names)
    lines = ["\t".join([copy_value(row[name]) for name in names]) for row in rows]
    return names, "\n".join(lines) + "\n"


def copy_into(
    table_name: str, names: list[str], rows: list[dict], chunk_rows: int = 20_000
) -> None:
    """COPY rows (dicts with every name) into a table on the session's connection."""
    cursor = db.session.connection().connection.cursor()
    statement = f"COPY {table_name} ({', '.join(names)}) FROM STDIN"
    try:
        for start in range(0, len(rows), chunk_rows):
            _names, text = copy_text(rows[start : start + chunk_rows], names)
            cursor.copy_expert(statement, io.StringIO(text))
    finally:
        cursor.close()


def allocate_ids(table: sa.Table, count: int) -> list[int]:
    """`count` new primary keys for rows inserted with explicit ids."""
    if not count:
        return []
    if is_postgresql():
        return list(
            db.session.scalars(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"table": table.name, "count": count},
            )
        )
    start = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))
