"""What every `flask datakesos` command shares: its decorator (the callback runs in the
application context), the turn of a DomainError into a red line and exit code 1, and the
progress callback that moves a Click progress bar."""

import functools
import sys
from collections.abc import Callable

import click
from flask.cli import with_appcontext

from app.errors import DomainError


def command(name: str, **attributes) -> Callable[[Callable], click.Command]:
    """A command of the `datakesos` group (app.cli.register adds it), run in the app context as
    Flask's AppGroup.command runs its commands."""

    def decorator(callback: Callable) -> click.Command:
        return click.command(name, **attributes)(with_appcontext(callback))

    return decorator


def domain_errors(callback):
    """Turn a DomainError into a red line and exit code 1, never a traceback."""

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except DomainError as error:
            click.secho(error.message, fg="red", err=True)
            sys.exit(1)

    return wrapper


def progress(bar) -> Callable[..., None]:
    """The domain's `on_progress(done, total=None, message=None)` shown on a Click progress
    bar: `done` is the position reached, `message` the bar's new label."""

    def on_progress(done, total=None, message=None):
        if message:
            bar.label = message
        bar.update(done - bar.pos)

    return on_progress
