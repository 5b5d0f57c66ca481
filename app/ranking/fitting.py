"""Fitting a PMT model version from a survey: household variables and each household's monthly
per-capita consumption (SUSENAS-like), by ordinary least squares on log consumption with a
constant per province (statsmodels), and a report of the fit.

A survey file is CSV with a header: `consumption_per_capita` (rupiah a month), `province_code`
(optional: without it one national constant) and one column per variable (app.ranking.variables).
`sample_survey` writes such a file from the register with a simulated consumption, for trying
the fit where no survey is at hand."""

from __future__ import annotations

import csv
import datetime
import io
import math
import random
import re

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import ValidationError
from app.extensions import db
from app.ranking.pmt_models import ModelSpec
from app.ranking.scoring import score_expression
from app.ranking.variables import NAMES, VARIABLES, sources
from models.enums import HouseholdStatus

CONSUMPTION = "consumption_per_capita"
PROVINCE = "province_code"
MINIMUM_ROWS = 50


def read_survey(text: str) -> tuple[list[list[float]], list[float], list[str]]:
    """(variable rows, log consumptions, province codes) of a survey file, or ValidationError
    naming the first fault (a missing column, a row and column that is not a number)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    if CONSUMPTION not in header:
        raise ValidationError(
            gettext(
                "The survey file has no %(column)s column (monthly per-capita consumption).",
                column=CONSUMPTION,
            )
        )
    missing = [name for name in NAMES if name not in header]
    if missing:
        raise ValidationError(
            gettext("The survey file lacks variables: %(names)s", names=", ".join(missing))
        )
    rows, targets, provinces = [], [], []
    for line, record in enumerate(reader, start=2):
        try:
            consumption = float(record[CONSUMPTION])
            values = [float(record[name]) for name in NAMES]
        except (TypeError, ValueError):
            raise ValidationError(
                gettext(
                    "Line %(line)s of the survey file holds a value that is not a number.",
                    line=line,
                )
            ) from None
        if not consumption > 0 or not all(math.isfinite(v) for v in values):
            raise ValidationError(
                gettext(
                    "Line %(line)s of the survey file: consumption must be above zero.", line=line
                )
            )
        province = (record.get(PROVINCE) or "").strip()
        if province and not re.fullmatch(r"\d{2}", province):
            raise ValidationError(
                gettext(
                    "Line %(line)s of the survey file: %(code)s is not a province code.",
                    line=line,
                    code=province,
                )
            )
        rows.append(values)
        targets.append(math.log(consumption))
        provinces.append(province)
    if len(rows) < MINIMUM_ROWS:
        raise ValidationError(
            gettext(
                "The survey file holds %(count)s households; a fit needs at least %(minimum)s.",
                count=len(rows),
                minimum=MINIMUM_ROWS,
            )
        )
    return rows, targets, provinces


def fit(text: str, version: str, description: str = "", source: str = "") -> ModelSpec:
    """A new version fitted on the survey `text`: weights by OLS, a constant per province seen
    in the survey (the national constant is the most frequent province's)."""
    import numpy as np
    import statsmodels.api as sm

    rows, targets, provinces = read_survey(text)
    seen = sorted({p for p in provinces if p}, key=lambda p: (-provinces.count(p), p))
    base, others = (seen[0], seen[1:]) if seen else ("", [])
    dummies = [[1.0 if p == code else 0.0 for code in others] for p in provinces]
    design = np.column_stack(
        [np.ones(len(rows)), np.array(rows), np.array(dummies).reshape(len(rows), len(others))]
    )
    # Variables constant in the survey cannot be estimated: they keep weight 0.
    varying = [i for i in range(len(NAMES)) if np.ptp(design[:, 1 + i]) > 0]
    columns = [0, *[1 + i for i in varying], *range(1 + len(NAMES), design.shape[1])]
    result = sm.OLS(np.array(targets), design[:, columns]).fit()
    params = list(result.params)
    constant = params[0]
    weights = {name: 0.0 for name in NAMES}
    for position, index in enumerate(varying, start=1):
        weights[NAMES[index]] = round(float(params[position]), 6)
    intercepts = {"": round(float(constant), 6)}
    if base:
        intercepts[base] = intercepts[""]
    for offset, code in enumerate(others, start=1 + len(varying)):
        intercepts[code] = round(float(constant + params[offset]), 6)
    report = {
        "households": int(result.nobs),
        "r_squared": round(float(result.rsquared), 4),
        "adjusted_r_squared": round(float(result.rsquared_adj), 4),
        "rmse": round(float(math.sqrt(result.mse_resid)), 4),
        "provinces": len(seen),
        "not_estimated": [NAMES[i] for i in range(len(NAMES)) if i not in varying],
        "fitted_on": datetime.date.today().isoformat(),
    }
    return ModelSpec(
        version=version,
        weights=weights,
        intercepts=intercepts,
        description=description,
        source=source or gettext("Fitted on a survey file"),
        fit_report=report,
    )


def sample_survey(spec: ModelSpec, households: int, seed: int = 1) -> str:
    """A survey file from `households` registered households: their variables as the register
    holds them and a consumption simulated from `spec` with noise (σ 0.3 in log)."""
    source, joined = sources(datetime.date.today())
    household = source.household
    query = (
        sa.select(
            sa.func.substr(household.c.village_code, 1, 2).label(PROVINCE),
            score_expression(spec, source, household).label("score"),
            *[variable.value(source).label(variable.name) for variable in VARIABLES],
        )
        .select_from(joined)
        .where(household.c.status == HouseholdStatus.ACTIVE)
        .order_by(household.c.register_id)
        .limit(households)
    )
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([PROVINCE, CONSUMPTION, *NAMES])
    for row in db.session.execute(query):
        consumption = math.exp(row.score + rng.gauss(0, 0.3))
        writer.writerow(
            [row._mapping[PROVINCE], round(consumption), *(row._mapping[n] for n in NAMES)]
        )
    return out.getvalue()
