"""The report of an import: a CSV (UTF-8 with BOM, so spreadsheets read it) with row, column and
message in the user's language — the problems of a refused file first, then the warnings (a NIK
that disagrees with the birth date, a likely duplicate), each message marked as a warning. A cell
that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is
prefixed with an apostrophe."""

import csv
import io

from flask_babel import gettext

from app.exports import neutralise


def error_report(
    errors, error_count: int | None = None, warnings=(), warning_count: int | None = None
) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([gettext("Row"), gettext("Column"), gettext("Message")])
    for row, column, message in errors:
        writer.writerow([row, neutralise(str(column)), neutralise(str(message))])
    _more(writer, error_count, len(errors))
    for row, column, message in warnings:
        text = gettext("Warning: %(message)s", message=message)
        writer.writerow([row, neutralise(str(column)), neutralise(text)])
    _more(writer, warning_count, len(warnings))
    return buffer.getvalue()


def _more(writer, count: int | None, listed: int) -> None:
    if count and count > listed:
        writer.writerow(
            ["", "", gettext("… and %(count)s more problems not listed.", count=count - listed)]
        )
