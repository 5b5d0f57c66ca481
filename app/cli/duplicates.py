"""`flask datakesos duplicates scan [--region CODE]`: the duplicate scan with a progress bar."""

import click
from flask_babel import gettext

from app.cli.base import command, domain_errors, progress


@command("scan")
@click.option("--region", default="", help="Region code to scan (default: the whole country).")
@domain_errors
def duplicates_scan_command(region):
    """Find likely and possible duplicate people in the register (data ganda)."""
    from app.duplicates import scanning

    with click.progressbar(length=4, label=gettext("Scanning"), show_percent=True) as bar:
        result = scanning.scan(region, progress=progress(bar))
    click.echo(
        gettext(
            "%(members)s people scanned, %(pairs)s pairs compared: %(likely)s likely and "
            "%(possible)s possible duplicates (%(new)s new, %(reopened)s reopened, %(kept)s "
            "decisions kept) in %(seconds)s s.",
            members=result.members,
            pairs=result.pairs,
            likely=result.likely,
            possible=result.possible,
            new=result.new,
            reopened=result.reopened,
            kept=result.kept_decisions,
            seconds=result.seconds,
        )
    )


@click.group("duplicates")
def duplicates_group():
    """Duplicate people in the register (data ganda)."""


duplicates_group.add_command(duplicates_scan_command)

COMMANDS = (duplicates_group,)
