"""`flask datakesos import FILE`: bulk import of households from a CSV file, with a progress bar;
a refused file writes nothing and leaves an error report beside it."""

from pathlib import Path

import click
from flask_babel import gettext

from app.cli.base import command, domain_errors, progress


@command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--user",
    "username",
    default=None,
    help="Import as this user (their role and region); default: the system (Admin).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and count changes; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the error report (default: FILE.errors.csv).",
)
@domain_errors
def import_command(path: Path, username, dry_run, report_path):
    """Import households, families and members from a CSV file (docs/import-format.md)."""
    from flask import current_app

    from app import imports
    from app.errors import NotFound
    from app.imports.report import error_report

    user = None
    if username:
        user = current_app.appbuilder.sm.find_user(username=username)
        if user is None:
            raise NotFound(gettext("No user %(username)s.", username=username))
    importer = imports.importer_for(user)
    with click.progressbar(length=100, label=gettext("Importing"), show_percent=True) as bar:
        result = imports.run_import(
            path.read_bytes(), path.name, importer, dry_run=dry_run, progress=progress(bar)
        )
    if not result.ok:
        report_path = report_path or path.with_name(path.name + ".errors.csv")
        report_path.write_text(
            error_report(result.errors, result.error_count, result.warnings, result.warning_count),
            encoding="utf-8",
        )
        _echo_rows(result.errors, fg="red", err=True)
        click.secho(
            gettext(
                "%(count)s problems: nothing was imported. Error report: %(path)s",
                count=result.error_count,
                path=str(report_path),
            ),
            fg="red",
            err=True,
        )
        raise SystemExit(1)
    click.echo(summary(result))
    _echo_rows(result.warnings, fg="yellow")


def _echo_rows(problems, **style) -> None:
    """The first of an import's errors or warnings, one line each."""
    for row, column, message in problems[:20]:
        click.secho(
            gettext(
                "Row %(row)s, column %(column)s: %(message)s",
                row=row,
                column=column,
                message=message,
            ),
            **style,
        )


def summary(result) -> str:
    from app.formatting import number

    counts = result.counts
    text = gettext(
        "%(rows)s rows. Households: %(hh_added)s added, %(hh_updated)s updated, "
        "%(hh_unchanged)s unchanged. Families: %(families)s added. Members: %(m_added)s added, "
        "%(m_updated)s updated, %(m_unchanged)s unchanged. Proposals: %(proposals)s.",
        rows=number(result.rows),
        hh_added=number(counts.households_added),
        hh_updated=number(counts.households_updated),
        hh_unchanged=number(counts.households_unchanged),
        families=number(counts.families_added),
        m_added=number(counts.members_added),
        m_updated=number(counts.members_updated),
        m_unchanged=number(counts.members_unchanged),
        proposals=number(counts.proposals_added),
    )
    if result.dry_run:
        text = gettext("Check only, nothing written.") + " " + text
    if result.warning_count:
        text += " " + gettext(
            "%(count)s warnings (a NIK that differs from the birth date or sex, or a likely "
            "duplicate).",
            count=number(result.warning_count),
        )
    return text


COMMANDS = (import_command,)
