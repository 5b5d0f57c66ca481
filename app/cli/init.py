"""`flask datakesos init`: the database brought to a working state (app.bootstrap), with a
progress bar while the regions load."""

import click
from flask_babel import gettext

from app.cli.base import command


@command("init")
def init_command():
    """Migrate the database, create roles, load all Kemendagri regions."""
    from app import bootstrap
    from app.formatting import number
    from app.register import regions

    with click.progressbar(length=91599, label=gettext("Loading regions")) as bar:
        bootstrap.initialise(on_progress=bar.update)
    counts = regions.count_by_level()
    click.echo(
        gettext(
            "Regions: %(provinces)s provinces, %(regencies)s regencies/cities, "
            "%(districts)s districts, %(villages)s villages.",
            provinces=number(counts.get(1, 0)),
            regencies=number(counts.get(2, 0)),
            districts=number(counts.get(3, 0)),
            villages=number(counts.get(4, 0)),
        )
    )


COMMANDS = (init_command,)
