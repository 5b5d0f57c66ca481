"""`flask datakesos …`: the command-line door. Commands call the domain; errors exit non-zero."""
import functools
import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext

from app.errors import DomainError

datakesos = AppGroup("datakesos", help="Datakesos administration.")


def domain_errors(command):
    """Turn a DomainError into a red line and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as error:
            click.secho(error.message, fg="red", err=True)
            sys.exit(1)

    return wrapper


@datakesos.command("init")
def init_command():
    """Migrate the database, create roles, load all Kemendagri regions."""
    from app import bootstrap
    from app.register import regions
    from app.formatting import number

    with click.progressbar(length=91599, label=gettext("Loading regions")) as bar:
        bootstrap.initialise(on_progress=bar.update)
    counts = regions.count_by_level()
    click.echo(
        gettext(
            "Regions: %(provinces)s provinces, %(regencies)s regencies/cities, "
            "%(districts)s districts, %(villages)s villages.",
            provinces=number(counts.get(1, 0)), regencies=number(counts.get(2, 0)),
            districts=number(counts.get(3, 0)), villages=number(counts.get(4, 0)),
        )
    )


@datakesos.command("create-user")
@click.argument("username")
@click.option("--role", "role_name", required=True, help="Admin, Pusdatin, Provinsi, Operator, …")
@click.option("--region", "region_code", default="", help="Region code of the user's scope.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default=None)
@click.option("--first-name", default=None)
@click.option("--last-name", default="")
@domain_errors
def create_user_command(username, role_name, region_code, password, email, first_name, last_name):
    """Create a console user with a role and a region scope."""
    from app.security import users

    user = users.create_user(
        username, role_name, password, region_code=region_code, email=email,
        first_name=first_name, last_name=last_name,
    )
    click.echo(gettext("User %(username)s created.", username=user.username))



# Commands that live beside their domain module register themselves on the group.
from app.cli import demo as demo_cli  # noqa: E402,F401
from app.cli import periods as period_cli  # noqa: E402,F401
from app.cli import imports as import_cli  # noqa: E402,F401
from app.cli import api_keys as api_key_cli  # noqa: E402,F401
