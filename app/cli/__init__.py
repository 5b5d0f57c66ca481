"""`flask datakesos …`: the command-line door. Commands call the domain; errors exit non-zero.

`register(app)` adds the `datakesos` group with the commands of every module named in
COMMAND_MODULES, each listing its own in COMMANDS (nothing registers by being imported).
base holds what the commands share (their decorator, domain_errors, progress). A door: it may
import every room (lazily, inside a command, so `flask --help` stays fast); no room imports it.
"""

from flask import Flask
from flask.cli import AppGroup

from app.cli import api_keys, demo, duplicates, imports, init, periods, pmt, users

#: Every module of commands, in the order they are written; each lists its commands in COMMANDS.
COMMAND_MODULES = (init, users, demo, periods, imports, duplicates, pmt, api_keys)


def group() -> AppGroup:
    """The `datakesos` group with every command of COMMAND_MODULES."""
    datakesos = AppGroup("datakesos", help="Datakesos administration.")
    for module in COMMAND_MODULES:
        for command in module.COMMANDS:
            datakesos.add_command(command)
    return datakesos


def register(app: Flask) -> None:
    app.cli.add_command(group())
