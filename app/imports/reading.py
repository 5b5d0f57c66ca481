"""Reading an import file: encoding, delimiter, header. Problems of the whole file are raised as
FileRefused (nothing is read further); problems of single rows are collected by validation."""

import csv
import io

from flask_babel import gettext

from app.errors import ValidationError
from app.imports import columns
from app.ranking import decile_is_derived

#: Columns the register derives (each close's ranking): named in the refusal, never read.
DERIVED = {"welfare_decile"}
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", ";")


class FileRefused(ValidationError):
    """The file as a whole cannot be imported (encoding, header, size)."""


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is allowed); every other encoding is refused."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    elif data.startswith(UTF16_BOMS) or (len(data) > 1 and b"\x00" in data[:200]):
        raise FileRefused(
            gettext(
                'The file is in UTF-16, not UTF-8. Save it again as "CSV UTF-8" and upload '
                "it again."
            ),
            "file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            gettext(
                "The file is not in UTF-8 (unreadable character on line %(line)s). Save it "
                'again as "CSV UTF-8" and upload it again.',
                line=line,
            ),
            "file",
        ) from None
    if not text.strip():
        raise FileRefused(gettext("The file is empty."), "file")
    if "\x00" in text:  # no database stores it in text; Python's csv would read it
        raise unreadable(text[: text.index("\x00")].count("\n") + 1)
    return text


def unreadable(line: int) -> "FileRefused":
    return FileRefused(
        gettext(
            "Row %(row)s cannot be read (a cell that is too long, an unclosed quote or a NUL "
            "character).",
            row=line,
        ),
        "file",
    )


def delimiter_of(header_line: str) -> str:
    """`,` or `;`, whichever splits the header into known column names."""
    best, best_known = None, 0
    for delimiter in DELIMITERS:
        names = [name.strip().strip('"').strip().lower() for name in header_line.split(delimiter)]
        known = sum(name in columns.BY_NAME for name in names)
        if known > best_known:
            best, best_known = delimiter, known
    if best is None or best_known < 2:
        raise FileRefused(
            gettext(
                "The first line must name the columns, separated by commas (,) or semicolons (;), "
                "e.g. register_id,village_code,address,…: see the format description."
            ),
            "header",
        )
    return best


def read(text: str, max_rows: int):
    """(header names, rows as lists). Rows are numbered as in a spreadsheet: the
    header is row 1, the first member row 2."""
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = delimiter_of(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header = [name.strip().lower() for name in next(reader)]
    check_header(header)
    rows = []
    try:
        _read_rows(reader, rows, max_rows)
    except csv.Error:
        raise unreadable(reader.line_num) from None
    if not any(rows):
        raise FileRefused(gettext("The file has a header but no member rows."), "file")
    return header, rows


def _read_rows(reader, rows: list, max_rows: int) -> None:
    for row in reader:
        if not "".join(row).strip():
            rows.append(None)  # a blank line keeps the numbering of the rows after it
            continue
        rows.append(row)
        if len(rows) > max_rows:
            raise FileRefused(
                gettext(
                    "The file has more than %(count)s rows: split it into smaller files.",
                    count=max_rows,
                ),
                "file",
            )


def check_header(header: list[str]) -> None:
    unknown = [name for name in header if name not in columns.BY_NAME and name not in DERIVED]
    missing = [name for name in columns.REQUIRED if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append(gettext("Missing columns: %(names)s.", names=", ".join(missing)))
    if unknown:
        problems.append(
            gettext(
                "Unknown columns: %(names)s.", names=", ".join(name[:40] or "-" for name in unknown)
            )
        )
    if DERIVED & set(header):
        problems.append(decile_is_derived())
    if repeated:
        problems.append(gettext("Columns named twice: %(names)s.", names=", ".join(repeated)))
    if problems:
        raise FileRefused(" ".join(problems), "header")
