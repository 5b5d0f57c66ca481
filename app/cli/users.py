"""`flask datakesos create-user`: a console user with a role and a region scope
(app.security.users)."""

import click
from flask_babel import gettext

from app.cli.base import command, domain_errors


@command("create-user")
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
        username,
        role_name,
        password,
        region_code=region_code,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    click.echo(gettext("User %(username)s created.", username=user.username))


COMMANDS = (create_user_command,)
