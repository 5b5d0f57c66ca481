"""`flask datakesos demo`: demo households and the demo users, from the command line."""

import datetime

import click
from flask_babel import gettext

from app.cli.base import command, domain_errors


@command("demo")
@click.option(
    "--households",
    type=click.IntRange(min=1),
    default=3000,
    show_default=True,
    help="Number of households to generate.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Random seed; the same seed and count give the same data. [default: 2026]",
)
@click.option(
    "--regions",
    default=None,
    help="Comma-separated region codes whose villages get the households "
    "(default: Kota Bandung 60%, Kabupaten Bogor 40%; otherwise equal shares), "
    "or 'national' for all 514 regencies (the default of --bulk).",
)
@click.option(
    "--bulk/--no-bulk",
    default=None,
    help="Write through PostgreSQL COPY in worker processes (default: on PostgreSQL "
    "from 50,000 households).",
)
@click.option(
    "--duplicates",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also plant this many duplicate people (app/demo/duplicates.py), for the duplicate "
    "finder to find.",
)
@click.option(
    "--history",
    type=click.IntRange(min=0, max=12),
    default=0,
    show_default=True,
    help="Also close this many periods before the open one, with proposals in each, and leave "
    "proposals in every state in the open period (app/demo/history.py; a new database only).",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only when the register holds no households at all (as `make run` asks: a database "
    "with households of its own gets no demo data).",
)
@click.option("--scan", is_flag=True, help="Run the duplicate scan afterwards.")
@domain_errors
def demo_command(households, seed, regions, bulk, duplicates, history, if_empty, scan):
    """Generate deterministic demo data and create the demo users.

    Writes households with families, members (valid NIKs) and program memberships in one
    transaction, then creates the demo users of the README (password from DEMO_PASSWORD,
    default Demo-Kesos-2026!); existing users are left alone.

    Idempotent: a run is recognised by the register id of its first household. When the
    data of this seed is already present, nothing is added; run with another --seed to add
    more households.
    """
    from app import demo
    from app.demo import bulk as bulk_copy
    from app.extensions import is_postgresql
    from app.formatting import number

    if if_empty and _has_households():
        click.echo(gettext("The register already holds households; no demo data added."))
        return
    seed = demo.DEFAULT_SEED if seed is None else seed
    if bulk is None:
        bulk = is_postgresql() and households >= bulk_copy.BULK_THRESHOLD
    if regions is None:
        regions = bulk_copy.NATIONAL if bulk else ",".join(demo.DEFAULT_REGIONS)
    codes = [code.strip() for code in regions.split(",") if code.strip()]
    # Asked before the progress bar, where it is cheap to ask (the bulk path knows its first
    # household only once its regencies are weighed, and asks itself).
    marker = "" if bulk else demo.existing_marker(seed, codes)
    if history and not marker:
        from app.demo.history import backdate_open_period

        backdate_open_period(history, datetime.date.today())
    if not marker:
        generate = bulk_copy.generate_bulk if bulk else demo.generate
        with click.progressbar(
            length=households, label=gettext("Generating households"), show_pos=True
        ) as bar:
            result = generate(households, seed=seed, regions=codes, on_progress=bar.update)
        marker = result.marker if result.already_present else ""
    if marker:
        click.echo(
            gettext(
                "Demo data of seed %(seed)s is already present (register id %(register_id)s); "
                "nothing added. Use another --seed to add more households.",
                seed=seed,
                register_id=marker,
            )
        )
    else:
        click.echo(
            gettext(
                "Demo data: %(households)s households, %(families)s families, %(members)s members, "
                "%(memberships)s program memberships.",
                households=number(result.households),
                families=number(result.families),
                members=number(result.members),
                memberships=number(result.memberships),
            )
        )
    if duplicates:
        from app.demo.duplicates import plant

        planted = plant(duplicates, seed=seed)
        click.echo(gettext("Duplicate people planted: %(count)s.", count=number(len(planted))))
    _seed_offices()
    created = demo.create_demo_users()
    if created:
        click.echo(gettext("Demo users created: %(users)s.", users=", ".join(created)))
    else:
        click.echo(gettext("Demo users already exist; left unchanged."))
    if history and not marker:
        _play_history(history, seed)
    if scan:
        from app.cli.duplicates import duplicates_scan_command

        click.get_current_context().invoke(duplicates_scan_command, region="")


def _has_households() -> bool:
    import sqlalchemy as sa

    from app.extensions import db
    from models import Household

    return db.session.scalar(sa.select(Household.id).limit(1)) is not None


def _print_certificates(count: int = 3) -> None:
    """Certificates of the last closed period, printed as Kota Bandung's operator would (the
    verify page then has codes to check; the second one is printed twice: a reprint)."""
    import sqlalchemy as sa
    from flask import current_app

    from app.extensions import db
    from models import Household
    from models.enums import HouseholdStatus
    from reports.certificates import Printing, issue_certificate

    operator = current_app.appbuilder.sm.find_user(username="operator.bandung")
    base_url = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:8080/"
    printing = Printing(operator.id, operator.username, full_nik=True, base_url=base_url)
    households = db.session.scalars(
        sa.select(Household)
        .where(Household.village_code.like("32.73.%"), Household.status == HouseholdStatus.ACTIVE)
        .order_by(Household.id)
        .limit(count)
    ).all()
    for index, household in enumerate(households):
        for _ in range(2 if index == 1 else 1):
            issue_certificate(household, printing)


def _seed_offices() -> None:
    """The demo regencies' issuing offices: their certificates carry a named signatory."""
    from app.extensions import db
    from app.offices.demo import seed_demo_offices

    seed_demo_offices(db.session)
    db.session.commit()


def _play_history(periods: int, seed: int) -> None:
    from app.demo.history import play

    def closed(result):
        click.echo(result.message)

    play(periods, seed, on_close=closed)
    _print_certificates()
    from app.demo import complaints

    planted = complaints.plant()
    if planted:
        click.echo(gettext("Residents' submissions in the queue: %(count)s.", count=planted))
    click.echo(
        gettext(
            "Demo history: %(count)s periods closed; proposals in every state in the open period.",
            count=periods,
        )
    )


COMMANDS = (demo_command,)
