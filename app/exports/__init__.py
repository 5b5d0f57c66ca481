"""Exports of register lists as CSV or XLSX, streamed in constant memory.

The caller (views.base.RegisterModelView.export) builds the query exactly as the list page
does — the user's filters and ordering plus the view's scope — and hands it here with the
columns to write. Rows are read in batches (`yield_per`; a server-side cursor on PostgreSQL)
and written out batch by batch, so neither the rows nor the file are ever held in memory.

What an export holds (`Download`): a session and connection of its own, opened by the view and
closed by whatever ends the download (finished, failed, dropped by the client), and one of the
user's EXPORT_MAX_CONCURRENT slots (app.exports.slots) — so no number of exports, aborted or
not, can keep connections from the pool or let one user occupy every worker.

What a clerk gets:
- Headers are the list's column labels in the user's language; enumerations are written with
  their labels (as the list shows them), booleans as Ya/Tidak, related records by their name.
- NIK columns pass through app.security.privacy (masked for Provinsi and Interkoneksi), as on
  screen.
- CSV: UTF-8 with a byte-order mark (so Excel detects the encoding), `,` as separator, `.` as
  decimal point, ISO 8601 dates (2026-11-28) — a file other programs read without guessing.
  Indonesian Excel, whose list separator is `;`, should open the XLSX instead (or import the CSV
  through Data ▸ From Text/CSV), which also keeps 16-digit NIK and KK numbers as text.
- XLSX: one sheet, real date cells, numbers as numbers, text always as text cells.
- Formula injection: a text value starting with =, +, -, @, a tab or a carriage return would be
  run as a formula by spreadsheet programs. In CSV it gets a leading apostrophe; in XLSX it is
  a text cell with Excel's "quote prefix" (shown without the apostrophe, kept as text even when
  the cell is edited). Numbers (a negative latitude) are numbers and are left alone.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import enum
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy.orm import Session

from app import audit, formatting
from app.errors import ValidationError
from app.exports import slots as export_slots
from app.security.privacy import mask_nik, nik_for_viewer

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH = 1000
#: Rows one export may hold unless EXPORT_MAX_ROWS says otherwise: a request must end within the
#: server's timeout (gunicorn --timeout 120). Measured on 2 cores with PostgreSQL: CSV about
#: 14,000 rows/s, XLSX about 5,000 rows/s; 500,000 rows of XLSX take about 100 s.
DEFAULT_MAX_ROWS = 500_000
#: The most data rows an XLSX sheet holds (1,048,576 rows less the header).
XLSX_MAX_ROWS = 1_048_575
#: Text starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    #: Turns the raw attribute value into what is written (e.g. the view's NIK mask).
    formatter: Callable | None = None


# -- values ---------------------------------------------------------------------------------
def neutralise(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula (CSV: leading apostrophe)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value, labels: dict):
    """A raw value as the export writes it: None, str, int, float, date or datetime.
    `labels` caches translated labels (enumerations, Ya/Tidak) for one export."""
    if value is None:
        return None
    if isinstance(value, (bool, enum.Enum)):
        if value not in labels:
            labels[value] = formatting.value(value)  # the label in the user's language
        return labels[value]
    if isinstance(value, (int, float, datetime.date)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, Markup):
        return value.striptags()
    if isinstance(value, str):
        return value
    return str(value).strip()  # a related record by its name ("first last" may end in " ")


def _attribute(item, name: str):
    for part in name.split("."):
        item = getattr(item, part, None)
        if item is None:
            return None
    return item() if callable(item) and not isinstance(item, enum.Enum) else item


def columns_for_viewer(columns: list[Column], full_nik: bool) -> list[Column]:
    """Columns the view shows through app.security.privacy's NIK rule, with the rule decided once
    for this viewer before the rows are read (not once per row while the file streams)."""
    return [
        Column(column.name, column.header, None if full_nik else mask_nik)
        if column.formatter is nik_for_viewer
        else column
        for column in columns
    ]


def row_values(item, columns: list[Column], labels: dict) -> list:
    values = []
    for column in columns:
        value = _attribute(item, column.name)
        if column.formatter is not None and value is not None:
            value = column.formatter(value)
        values.append(cell(value, labels))
    return values


class Download:
    """One accepted export, from the moment the view takes it until its last byte is sent or the
    client goes away: its own session (one connection of the pool, in one transaction, apart
    from the request's session, which Flask removes when the view returns, before the body is
    read), the user's concurrency slot (app.exports.slots) and the rows' statement.

    The view opens it, so that a refusal (slots, size) is a message and not a broken download.
    Whatever ends the download closes it: the body's last chunk, a failure while writing, the
    client closing the response mid-download — or before the body was ever started, which
    only the response's close sees (the view hands it `close`). Closing ends the cursor and
    then the transaction, so the connection goes back to the pool with no transaction, cursor
    or lock left, and the slot is free again."""

    def __init__(self, query, user_id: int, max_concurrent: int):
        self._query = query
        # A 2.0-style execution: the legacy Query would "unique" joined eager loads, which
        # needs every row in memory first. Built now, while the request's session lives.
        self._statement = query.statement.execution_options(yield_per=BATCH, stream_results=True)
        self._session = Session(bind=query.session.get_bind(), autoflush=False)
        self._closed = False
        try:
            self._slot = export_slots.take(self._session.connection(), user_id, max_concurrent)
        except BaseException:
            self._session.close()
            raise

    def count(self) -> int:
        """The rows of the list, counted in the export's own transaction."""
        return self._query.with_session(self._session).order_by(None).count()

    def chunks(self, fmt: str, columns: list[Column], title: str) -> Iterator[bytes]:
        """The file, chunk by chunk (`columns` from `columns_for_viewer`)."""
        rows = self._rows(columns)
        try:
            yield from chunks(fmt, [column.header for column in columns], rows, title)
        finally:
            try:
                rows.close()  # the cursor before its transaction
            finally:
                self.close()

    def _rows(self, columns: list[Column]) -> Iterator[list]:
        """The query's rows as lists of cells, fetched BATCH at a time (a server-side cursor
        on PostgreSQL); objects are dropped once written (the session's identity map holds
        them weakly)."""
        labels = {}
        result = self._session.execute(self._statement)
        try:
            for item in result.scalars():
                yield row_values(item, columns, labels)
        finally:
            result.close()

    def close(self) -> None:
        """Idempotent: the body's end and the response's close both call it."""
        if self._closed:
            return
        self._closed = True
        try:
            self._session.close()  # rollback: on PostgreSQL this also frees the slot
        finally:
            self._slot.close()  # SQLite: the slot's lock file


def open_download(
    query, fmt: str, user_id: int, max_concurrent: int, max_rows: int | None = DEFAULT_MAX_ROWS
) -> tuple[Download, int]:
    """(download, row count) of an export the user may start now; raises TooManyExports when
    the user's slots are all held, ValidationError when the list is too large (nothing held
    then)."""
    download = Download(query, user_id, max_concurrent)
    try:
        count = download.count()
        check_size(fmt, count, max_rows)
    except BaseException:
        download.close()
        raise
    return download, count


def check_size(fmt: str, count: int, max_rows: int | None = DEFAULT_MAX_ROWS) -> None:
    """Refuse, before anything is written, an export larger than allowed or than XLSX holds.
    `max_rows` 0 or None: no limit but XLSX's own."""
    if max_rows and count > max_rows:
        raise ValidationError(
            gettext(
                "This list has %(count)s rows; an export holds at most %(limit)s. "
                "Narrow the search (for example by region) and export again.",
                count=formatting.number(count),
                limit=formatting.number(max_rows),
            )
        )
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        raise ValidationError(
            gettext(
                "This list has %(count)s rows; an XLSX sheet holds at most %(limit)s. "
                "Narrow the search or export as CSV.",
                count=formatting.number(count),
                limit=formatting.number(XLSX_MAX_ROWS),
            )
        )


# -- CSV --------------------------------------------------------------------------------------
def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return neutralise(value)


def csv_chunks(headers: list[str], data: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 (with BOM) CSV, one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(header) for header in headers])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for number, values in enumerate(data, 1):
        writer.writerow([_csv_text(value) for value in values])
        if number % BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# -- XLSX -------------------------------------------------------------------------------------
def write_xlsx(path: str, headers: list[str], data: Iterable[list], sheet_name: str) -> None:
    """Write the rows to an XLSX file at `path` in XlsxWriter's constant-memory mode (each
    row goes to a temporary file as soon as the next one starts)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "tmpdir": os.path.dirname(path),
            # Never guess: text stays text, whatever it looks like.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        sheet = workbook.add_worksheet(_sheet_name(sheet_name))
        bold = workbook.add_format({"bold": True})
        quoted = workbook.add_format({"quote_prefix": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for column, header in enumerate(headers):
            sheet.write_string(
                0, column, header, quoted if header.startswith(FORMULA_STARTS) else bold
            )
            sheet.set_column(column, column, max(16, min(40, len(header) + 2)))
        sheet.freeze_panes(1, 0)
        written = 0
        for written, values in enumerate(data, 1):
            for column, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, datetime.datetime):
                    sheet.write_datetime(written, column, value.replace(tzinfo=None), moment)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(written, column, value, day)
                elif isinstance(value, (int, float)):
                    sheet.write_number(written, column, value)
                elif value.startswith(FORMULA_STARTS):
                    sheet.write_string(written, column, value, quoted)
                else:
                    sheet.write_string(written, column, value)
    finally:
        workbook.close()


def _sheet_name(name: str) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in name).strip("' ")
    return (cleaned or "Data")[:31]


def xlsx_chunks(headers: list[str], data: Iterable[list], sheet_name: str) -> Iterator[bytes]:
    """Build the workbook in a temporary folder, then send the file in chunks and delete it."""
    with tempfile.TemporaryDirectory(prefix="datakesos-export-") as folder:
        path = os.path.join(folder, "export.xlsx")
        write_xlsx(path, headers, data, sheet_name)
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk


def chunks(fmt: str, headers: list[str], data: Iterable[list], title: str) -> Iterator[bytes]:
    if fmt == "csv":
        return csv_chunks(headers, data)
    return xlsx_chunks(headers, data, title)


def record(
    entity: str, list_name: str, fmt: str, filters: dict, count: int, region_code: str | None
) -> None:
    """One audit entry per export: who (app.audit), which list, filters, rows and format."""
    audit.record(
        "export",
        entity,
        region_code=region_code or None,
        after={
            "list": list_name,
            "format": fmt,
            "filters": filters,
            "rows": count,
        },
    )


def filename(title: str, fmt: str) -> str:
    """e.g. rumah-tangga-20261128-0450.csv: the list's name in the user's language."""
    now = datetime.datetime.now()
    slug = "".join(char if char.isascii() and char.isalnum() else "-" for char in title.lower())
    slug = "-".join(part for part in slug.split("-") if part) or "export"
    return f"{slug}-{now:%Y%m%d-%H%M}.{fmt}"
