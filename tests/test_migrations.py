"""The Alembic migrations build exactly the schema the models declare.

`flask db upgrade` on an empty PostgreSQL database must leave nothing for autogenerate to find;
otherwise production (which runs the migrations) and the tests' idea of the schema drift apart."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def schema_differences(connection) -> list:
    import models

    options = {"compare_type": True}
    # The same filter as migrations/env.py: objects that exist on one database engine only.
    if hasattr(models, "include_in_dialect"):
        options["include_object"] = models.include_in_dialect(connection.dialect.name)
    context = MigrationContext.configure(connection, opts=options)
    return compare_metadata(context, models.metadata)


def flask_db(url: sa.URL, *arguments: str) -> None:
    """Run `flask db …` in its own process, as an administrator would, against `url`."""
    env = dict(
        os.environ, DATABASE_URL=url.render_as_string(hide_password=False), FLASK_APP="run.py"
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "db", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"flask db {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
    )


@pytest.fixture()
def empty_postgresql_database():
    """A new, empty database beside the test database, dropped afterwards."""
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only: set TEST_DATABASE_URL (`make test` does it)")
    from config import database_url

    url = sa.make_url(database_url(TEST_DATABASE_URL))
    target = url.set(database=f"{url.database}_mig")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        try:
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
        except sa.exc.ProgrammingError as error:
            pytest.skip(f"the TEST_DATABASE_URL role cannot create databases: {error.orig}")
    try:
        yield target
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.mark.postgresql
def test_upgrade_of_an_empty_postgresql_database_matches_the_models(empty_postgresql_database):
    flask_db(empty_postgresql_database, "upgrade")

    engine = sa.create_engine(empty_postgresql_database)
    try:
        with engine.connect() as connection:
            assert schema_differences(connection) == []
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_migrations_downgrade_to_nothing_and_upgrade_again(empty_postgresql_database):
    engine = sa.create_engine(empty_postgresql_database)
    try:
        flask_db(empty_postgresql_database, "upgrade")
        assert "household" in _tables(engine)

        flask_db(empty_postgresql_database, "downgrade", "base")
        engine.dispose()
        assert _tables(engine) == set()

        flask_db(empty_postgresql_database, "upgrade")
        with engine.connect() as connection:
            assert schema_differences(connection) == []
    finally:
        engine.dispose()


def test_the_test_database_matches_the_models(app):
    """`flask db check` on the session database (SQLite or PostgreSQL), migrated by `init`."""
    from app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        assert schema_differences(connection) == []


def test_migrations_have_a_single_head():
    """Two branches merged without a merge revision would make `flask db upgrade` refuse to run."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
