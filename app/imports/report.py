"""The error report of a refused import: a CSV (UTF-8 with BOM, so spreadsheets read it) with
row, column and message in the user's language. A cell that a spreadsheet would run as a formula
(starting with =, +, -, @, tab or carriage return) is prefixed with an apostrophe."""

import csv
import io

from flask_babel import gettext

from app.exports import neutralise


def error_report(errors, error_count: int | None = None) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([gettext("Row"), gettext("Column"), gettext("Message")])
    for row, column, message in errors:
        writer.writerow([row, neutralise(str(column)), neutralise(str(message))])
    if error_count and error_count > len(errors):
        writer.writerow(
            [
                "",
                "",
                gettext(
                    "… and %(count)s more problems not listed.", count=error_count - len(errors)
                ),
            ]
        )
    return buffer.getvalue()
