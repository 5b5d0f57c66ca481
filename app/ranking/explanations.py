"""One household's ranking as the household page, its certificate and the API show it: the
decile that counts and the arithmetic behind it.

- determined: the latest closed period's ranking, recomputed from the values and the model
  version the snapshot kept (never from today's register), so it explains what was decided;
- preview: the open period's live score with the active model, placed among the last close's
  cut-offs — an estimate until the next close ranks everyone together.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.ranking import pmt_models, scoring
from app.register import reference
from models import Household, Period, PeriodDecileCutoff, PeriodSnapshot
from models.enums import PeriodStatus


@dataclass(frozen=True)
class Determined:
    period_code: str
    explanation: scoring.Explanation
    model_decile: int
    decile: int  # the one that counts: a village deliberation may have moved it

    @property
    def deliberated(self) -> bool:
        return self.decile != self.model_decile


@dataclass(frozen=True)
class Preview:
    explanation: scoring.Explanation
    estimated_decile: int | None
    cutoffs_period_code: str | None  # the closed period whose cut-offs place the score


@dataclass(frozen=True)
class HouseholdRanking:
    determined: Determined | None
    preview: Preview | None
    previous_decile: int | None  # the decile typed in before the ranking existed


def determined(household_id: int, period_id: int | None = None) -> Determined | None:
    """The ranking of the latest closed period that ranked the household (or of `period_id`)."""
    query = (
        sa.select(PeriodSnapshot, Period.code)
        .join(Period, Period.id == PeriodSnapshot.period_id)
        .where(
            PeriodSnapshot.household_id == household_id,
            Period.status == PeriodStatus.CLOSED,
            PeriodSnapshot.pmt_model_id.is_not(None),
        )
        .order_by(Period.end_date.desc())
        .limit(1)
    )
    if period_id is not None:
        query = query.where(Period.id == period_id)
    row = db.session.execute(query).first()
    if row is None:
        return None
    snapshot, code = row
    spec = pmt_models.spec_of(snapshot.pmt_model_id)
    values = scoring.parse_values(snapshot.pmt_values or "")
    return Determined(
        period_code=code,
        explanation=scoring.explain(spec, values, snapshot.village_code),
        model_decile=snapshot.model_decile,
        decile=snapshot.welfare_decile,
    )


def _last_cutoffs(province_code: str) -> tuple[int, str, str] | None:
    """(period id, period code, province key) of the latest closed period with cut-offs: the
    national ones, or the province's where the close ranked per province."""
    row = db.session.execute(
        sa.select(Period.id, Period.code, PeriodDecileCutoff.province_code)
        .join(PeriodDecileCutoff, PeriodDecileCutoff.period_id == Period.id)
        .where(
            Period.status == PeriodStatus.CLOSED,
            PeriodDecileCutoff.province_code.in_(("", province_code)),
        )
        .order_by(Period.end_date.desc(), PeriodDecileCutoff.province_code)
        .limit(1)
    ).first()
    return tuple(row) if row else None


def preview(household: Household) -> Preview | None:
    model = pmt_models.active_model()
    if model is None:
        return None
    spec = pmt_models.spec_of(model.id)
    period = reference.open_period()
    on = period.end_date if period else datetime.date.today()
    explanation = scoring.explain(
        spec, scoring.live_values(household.id, on), household.village_code
    )
    cutoffs = _last_cutoffs(household.village_code[:2])
    if cutoffs is None:
        return Preview(explanation, None, None)
    period_id, code, province = cutoffs
    return Preview(explanation, scoring.decile_for(explanation.score, period_id, province), code)


def ranking_of(household: Household) -> HouseholdRanking:
    return HouseholdRanking(
        determined=determined(household.id),
        preview=preview(household),
        previous_decile=household.previous_decile,
    )


def answer(ranking: HouseholdRanking) -> dict | None:
    """The API's answer: the closed period's ranking where there is one, else the preview;
    intercept plus the contributions equal the score. None: no model has ever been active."""
    preview = ranking.preview
    preview_answer = (
        _score(preview.explanation, preview.estimated_decile)
        | {"cutoffs_period": preview.cutoffs_period_code}
        if preview
        else None
    )
    if ranking.determined:
        main = _score(ranking.determined.explanation, ranking.determined.decile)
        extra = {
            "source": "period",
            "period": ranking.determined.period_code,
            "model_decile": ranking.determined.model_decile,
        }
    elif preview:
        main = dict(preview_answer)
        main.pop("cutoffs_period")
        extra = {"source": "preview", "period": None, "model_decile": None}
    else:
        return None
    return main | extra | {"previous_decile": ranking.previous_decile, "preview": preview_answer}


def _score(explanation: scoring.Explanation, decile: int | None) -> dict:
    return {
        "score": explanation.score,
        "decile": decile,
        "model_version": explanation.model_version,
        "intercept": explanation.intercept,
        "contributions": [
            {
                "variable": c.variable,
                "label": c.label,
                "value": c.value,
                "weight": c.weight,
                "contribution": c.contribution,
            }
            for c in explanation.contributions
        ],
    }
