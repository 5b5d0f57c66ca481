"""`flask datakesos close-period`, `scheduler`, `snapshot-hash`: the period close from the
command line, and the scheduler process."""

import click
from flask import current_app
from flask_babel import gettext

from app.cli.base import command, domain_errors, progress


@command("close-period")
@click.argument("code", required=False)
@click.option(
    "--early-reason",
    metavar="TEXT",
    default=None,
    help="Why the period is closed before its last day (required then; written to the audit "
    "trail).",
)
@domain_errors
def close_period_command(code, early_reason):
    """Close the open period (or period CODE, e.g. 2026-11) now, with a progress bar.

    All or nothing: verified proposals applied, snapshot, recaps and district activity
    written, the period closed and the next one opened. A closed period is left as it is.
    A period that has not begun is never closed; one whose last day is still to come only with
    --early-reason."""
    from app import periods
    from app.formatting import number

    with click.progressbar(
        length=len(periods.STEPS), label=gettext("Closing the period"), show_pos=True
    ) as bar:
        result = periods.close_period(code, on_progress=progress(bar), early_reason=early_reason)
    periods.queue_documents(result)
    click.echo(result.message)
    if result.closed:
        click.echo(
            gettext(
                "Households %(households)s, families %(families)s, people %(people)s, program "
                "recipients %(recipients)s; corrections %(corrections)s, new proposals "
                "%(proposals)s; active regencies %(active)s of %(total)s; %(seconds)s s.",
                households=number(result.households),
                families=number(result.families),
                people=number(result.people),
                recipients=number(result.program_recipients),
                corrections=number(result.corrections),
                proposals=number(result.new_proposals),
                active=number(result.active_regencies),
                total=number(result.total_regencies),
                seconds=result.seconds,
            )
        )


@command("scheduler")
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.5),
    default=5.0,
    show_default=True,
    help="How often queued jobs and the close schedule are checked.",
)
def scheduler_command(poll_seconds):
    """Run the scheduler process: queued jobs (period closes, bulk PDFs) and the close
    schedule. Only one is active per database; another one waits."""
    from app import scheduler

    scheduler.run(
        current_app._get_current_object(),
        poll_seconds=poll_seconds,
        say=lambda text: click.echo(text, err=True),
    )


@command("snapshot-hash")
@click.argument("code")
@domain_errors
def snapshot_hash_command(code):
    """Print the content hash of period CODE's snapshot (equal on any database holding the
    same determined register)."""
    from app import periods

    period = periods.period_by_code(code)
    click.echo(periods.snapshot_hash(period.id))


COMMANDS = (close_period_command, scheduler_command, snapshot_hash_command)
