"""`flask datakesos pmt …`: the PMT model versions — list, show, load a file, fit from a survey,
activate, export, and a sample survey to try the fit on."""

import json
from pathlib import Path

import click
from flask_babel import gettext

from app.cli.base import command, domain_errors


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(
            gettext("Cannot read %(path)s: %(error)s", path=path, error=error)
        ) from None


def _stored(spec, activate: bool) -> None:
    from app.extensions import db
    from app.ranking import pmt_models

    pmt_models.store(spec)
    if activate:
        pmt_models.activate(spec.version)
    db.session.commit()
    click.echo(gettext("Model version %(version)s stored.", version=spec.version))
    if activate:
        click.echo(gettext("It is active: the next close ranks with it."))


@command("list")
def pmt_list_command():
    """The model versions, the active one marked."""
    import sqlalchemy as sa

    from app.extensions import db
    from models import Period, PmtModel

    rows = db.session.execute(
        sa.select(PmtModel, Period.code)
        .outerjoin(Period, Period.id == PmtModel.first_used_period_id)
        .order_by(PmtModel.id)
    ).all()
    for model, first_period in rows:
        marks = [gettext("active")] if model.active else []
        if first_period:
            marks.append(gettext("used since %(period)s", period=first_period))
        click.echo(f"{model.version}\t{', '.join(marks)}")


@command("show")
@click.argument("version")
@domain_errors
def pmt_show_command(version):
    """A version's intercepts, weights and fit, as JSON (the format `load` reads)."""
    from app.ranking import pmt_models

    model = pmt_models.find(version)
    data = pmt_models.to_file(pmt_models.spec_of(model.id))
    if model.fit_report:
        data["fit_report"] = json.loads(model.fit_report)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--activate", is_flag=True, help="Make it the active version.")
@domain_errors
def pmt_load_command(path, activate):
    """Store a model version from a JSON file (all variables, numeric weights)."""
    from app.ranking import pmt_models

    _stored(pmt_models.parse(_read(path)), activate)


@command("fit")
@click.argument("survey", type=click.Path(dir_okay=False))
@click.option("--version", "version", required=True, help="Name of the new version.")
@click.option("--description", default="", help="What the version is.")
@click.option("--source", default="", help="The survey and its year.")
@click.option("--activate", is_flag=True, help="Make it the active version.")
@domain_errors
def pmt_fit_command(survey, version, description, source, activate):
    """Fit a new version on a survey CSV (variables + consumption_per_capita) and store it."""
    from app.ranking import fitting

    spec = fitting.fit(_read(survey), version, description, source)
    report = spec.fit_report
    click.echo(
        gettext(
            "Fitted on %(households)s households: R² %(r2)s (adjusted %(adjusted)s), "
            "RMSE %(rmse)s in log consumption, %(provinces)s provinces.",
            households=report["households"],
            r2=report["r_squared"],
            adjusted=report["adjusted_r_squared"],
            rmse=report["rmse"],
            provinces=report["provinces"],
        )
    )
    if report["not_estimated"]:
        click.echo(
            gettext(
                "Constant in the survey, kept at weight 0: %(names)s",
                names=", ".join(report["not_estimated"]),
            )
        )
    _stored(spec, activate)


@command("activate")
@click.argument("version")
@domain_errors
def pmt_activate_command(version):
    """Make VERSION the one the next close ranks with."""
    from app.extensions import db
    from app.ranking import pmt_models

    pmt_models.activate(version)
    db.session.commit()
    click.echo(gettext("Model version %(version)s is active.", version=version))


@command("sample-survey")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--households", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True, type=int)
@domain_errors
def pmt_sample_survey_command(path, households, seed):
    """Write a survey file from the register with simulated consumption (to try `fit`)."""
    from app.ranking import fitting, pmt_models

    model = pmt_models.active_model()
    if model is None:
        raise click.ClickException(gettext("No active model version."))
    text = fitting.sample_survey(pmt_models.spec_of(model.id), households, seed)
    Path(path).write_text(text, encoding="utf-8")
    click.echo(
        gettext("%(count)s households written to %(path)s.", count=text.count("\n") - 1, path=path)
    )


@click.group("pmt")
def pmt_group():
    """The PMT model versions of the welfare ranking."""


for _command in (
    pmt_list_command,
    pmt_show_command,
    pmt_load_command,
    pmt_fit_command,
    pmt_activate_command,
    pmt_sample_survey_command,
):
    pmt_group.add_command(_command)

COMMANDS = (pmt_group,)
