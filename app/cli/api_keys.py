"""`flask datakesos create-api-key`, `api-keys`, `revoke-api-key`: keys for machine clients
(app/security/api_keys.py). A key is printed once, when it is made; only its hash is kept."""

import click
from flask_babel import gettext

from app.cli.base import command, domain_errors


@command("create-api-key")
@click.argument("username")
@click.option("--name", default=None, help="What the key is for, e.g. the client system.")
@click.option(
    "--days", type=int, default=None, help="Valid for this many days (default: until revoked)."
)
@domain_errors
def create_api_key_command(username, name, days):
    """Make an API key for USERNAME and print it once (send as `Authorization: Bearer …`)."""
    from app.security import api_keys

    created = api_keys.create(username, name=name, days=days)
    click.echo(
        gettext(
            "API key %(name)s (%(uuid)s) for %(username)s:",
            name=created["name"],
            uuid=created["uuid"],
            username=username,
        )
    )
    click.echo(created["key"])
    click.echo(gettext("Store it now: it is not shown again."), err=True)


@command("api-keys")
@click.argument("username", required=False)
def list_api_keys_command(username):
    """List API keys (all, or USERNAME's): id, name, state, last use. Never the key itself."""
    from app.security import api_keys

    for key in api_keys.keys_of(username):
        state = gettext("active") if key.is_active else gettext("revoked or expired")
        click.echo(
            f"{key.uuid}  {key.user.username}  {key.name}  {state}  {key.last_used_on or '-'}"
        )


@command("revoke-api-key")
@click.argument("uuid")
@domain_errors
def revoke_api_key_command(uuid):
    """Revoke the API key UUID: requests signed with it are refused from now on."""
    from app.security import api_keys

    key = api_keys.revoke(uuid)
    click.echo(gettext("API key %(name)s revoked.", name=key.name))


COMMANDS = (create_api_key_command, list_api_keys_command, revoke_api_key_command)
