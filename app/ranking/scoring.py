"""The PMT score, as SQL for the close and as an explanation for one household.

A score is intercept(province) + Σ weight × value over the model's variables: a linear model, so
each variable's contribution is weight × value and the contributions add up to the score (no
SHAP needed). The close keeps every household's values in the snapshot, so a closed period's
explanation is the very arithmetic that ranked it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.ranking.pmt_models import ModelSpec
from app.ranking.variables import BY_NAME, NAMES, VARIABLES, sources
from models import PeriodDecileCutoff

SEPARATOR = ";"


def _float(value: float):
    # A typed constant: PostgreSQL would read a bare 0.1 as numeric, and numeric arithmetic
    # over a million households is several times slower than double precision.
    return sa.cast(sa.literal(value, sa.Float), sa.Float)


def province_of(village_code):
    return sa.func.substr(village_code, 1, 2)


def score_expression(spec: ModelSpec, source, household) -> sa.ColumnElement:
    intercept = sa.case(
        *[
            (province_of(household.c.village_code) == code, _float(value))
            for code, value in spec.intercepts.items()
            if code
        ],
        else_=_float(spec.intercepts[""]),
    )
    terms = [
        _float(spec.weights[variable.name]) * variable.value(source)
        for variable in VARIABLES
        if spec.weights[variable.name]
    ]
    return sum(terms, intercept)


def values_text(source) -> sa.ColumnElement:
    """Every variable's value as text, in NAMES order (new variables are only ever appended)."""
    parts = [sa.cast(variable.value(source), sa.String) for variable in VARIABLES]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + sa.literal(SEPARATOR) + part
    return joined


def ranked(spec: ModelSpec, on: datetime.date, where, by_province: bool) -> sa.Subquery:
    """Households matching `where` with their score, the model's decile (NTILE over the
    national ranking, or within each province) and their values. Ties are broken by register
    ID so that two runs over the same register rank alike."""
    source, joined = sources(on)
    household = source.household
    score = score_expression(spec, source, household)
    scored = (
        sa.select(
            household.c.id.label("household_id"),
            household.c.register_id,
            household.c.village_code,
            score.label("score"),
            values_text(source).label("pmt_values"),
        )
        .select_from(joined)
        .where(where)
        .subquery("scored")
    )
    window = {"order_by": (scored.c.score, scored.c.register_id)}
    if by_province:
        window["partition_by"] = province_of(scored.c.village_code)
    return sa.select(
        scored.c.household_id,
        scored.c.score,
        scored.c.pmt_values,
        sa.func.ntile(10).over(**window).label("decile"),
    ).subquery("ranked")


@dataclass(frozen=True)
class Contribution:
    variable: str
    label: str
    value: float
    weight: float

    @property
    def contribution(self) -> float:
        return self.weight * self.value


@dataclass(frozen=True)
class Explanation:
    model_version: str
    intercept: float
    contributions: list[Contribution]  # largest (in size) first

    @property
    def score(self) -> float:
        return self.intercept + sum(c.contribution for c in self.contributions)


def parse_values(text: str) -> dict[str, float]:
    return {name: float(value) for name, value in zip(NAMES, text.split(SEPARATOR), strict=False)}


def explain(spec: ModelSpec, values: dict[str, float], village_code: str) -> Explanation:
    """The arithmetic of one household's score: the province's intercept and each variable's
    weight × value, those that move the score most first (zeros left out)."""
    contributions = [
        Contribution(name, str(BY_NAME[name].label), values.get(name, 0.0), weight)
        for name, weight in spec.weights.items()
        if weight and values.get(name, 0.0)
    ]
    contributions.sort(key=lambda c: (-abs(c.contribution), c.variable))
    return Explanation(spec.version, spec.intercept_for(village_code[:2]), contributions)


def live_values(household_id: int, on: datetime.date) -> dict[str, float]:
    """A household's variables as the register holds them today (the open period's preview)."""
    source, joined = sources(on, [household_id])
    row = db.session.execute(
        sa.select(*[variable.value(source).label(variable.name) for variable in VARIABLES])
        .select_from(joined)
        .where(source.household.c.id == household_id)
    ).one()
    return {name: float(row._mapping[name]) for name in NAMES}


def decile_for(score: float, period_id: int, province_code: str = "") -> int | None:
    """Where a score falls among a closed period's cut-offs (the preview's estimated decile)."""
    cutoffs = db.session.execute(
        sa.select(PeriodDecileCutoff.decile, PeriodDecileCutoff.max_score)
        .where(
            PeriodDecileCutoff.period_id == period_id,
            PeriodDecileCutoff.province_code == province_code,
        )
        .order_by(PeriodDecileCutoff.decile)
    ).all()
    for decile, highest in cutoffs:
        if score <= highest:
            return decile
    return cutoffs[-1].decile if cutoffs else None
