"""What the period close asks of the ranking: the snapshot's ranking columns (score, the model's
decile, the deliberation's where one was applied, the values), then the period's cut-offs, the
households' new decile and the model version frozen. All set-based."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.ranking import pmt_models, scoring
from models import Household, PeriodDecileCutoff, PeriodSnapshot, Proposal
from models.enums import HouseholdStatus, ProposalKind, ProposalStatus


@dataclass(frozen=True)
class Ranking:
    """The model a close ranks with, read once on the close's connection."""

    model_id: int
    spec: pmt_models.ModelSpec
    by_province: bool


def ranking_for(connection) -> Ranking | None:
    model_id = pmt_models.active_model_id(connection)
    if model_id is None:
        return None
    return Ranking(
        model_id=model_id,
        spec=pmt_models.spec_of(model_id, connection),
        by_province=bool(current_app.config.get("PMT_DECILES_BY_PROVINCE", False)),
    )


def snapshot_columns(ranking: Ranking | None, period_id: int, end_date: datetime.date):
    """(joins, columns) the snapshot INSERT adds: `joins(from_clause)` outer-joins the ranking
    to the household rows, `columns` maps snapshot column names to expressions. Without an
    active model the snapshot keeps the household's decile as it stands."""
    if ranking is None:
        return (lambda from_clause: from_clause), {"welfare_decile": Household.welfare_decile}
    ranked = scoring.ranked(
        ranking.spec, end_date, Household.status == HouseholdStatus.ACTIVE, ranking.by_province
    )
    overrides = (
        sa.select(Proposal.household_id, sa.func.max(Proposal.decile).label("decile"))
        .where(
            Proposal.kind == ProposalKind.DECILE_OVERRIDE,
            Proposal.status == ProposalStatus.APPLIED,
            Proposal.applied_period_id == period_id,
        )
        .group_by(Proposal.household_id)
        .subquery("overrides")
    )

    def joins(from_clause):
        return from_clause.outerjoin(ranked, ranked.c.household_id == Household.id).outerjoin(
            overrides, overrides.c.household_id == Household.id
        )

    columns = {
        "welfare_decile": sa.func.coalesce(overrides.c.decile, ranked.c.decile),
        "pmt_score": ranked.c.score,
        "model_decile": ranked.c.decile,
        "pmt_model_id": sa.literal(ranking.model_id, sa.Integer),
        "pmt_values": ranked.c.pmt_values,
    }
    return joins, columns


def statements(ranking: Ranking | None, period_id: int) -> list[tuple[str, object]]:
    """(name, run(connection)) of the ranking's steps after the snapshot is written."""
    if ranking is None:
        return []
    snapshot = PeriodSnapshot.__table__
    province = (
        scoring.province_of(snapshot.c.village_code)
        if ranking.by_province
        else sa.literal("", PeriodDecileCutoff.province_code.type)
    )
    cutoffs = sa.insert(PeriodDecileCutoff).from_select(
        ["period_id", "province_code", "decile", "min_score", "max_score", "households"],
        sa.select(
            snapshot.c.period_id,
            province.label("province"),
            snapshot.c.model_decile,
            sa.func.min(snapshot.c.pmt_score),
            sa.func.max(snapshot.c.pmt_score),
            sa.func.count(),
        )
        .where(snapshot.c.period_id == period_id, snapshot.c.model_decile.is_not(None))
        .group_by(
            snapshot.c.period_id,
            *([province] if ranking.by_province else []),
            snapshot.c.model_decile,
        ),
    )
    household = Household.__table__
    # The household carries the decile that counts, so lists, filters and Beranda read it
    # directly; its version and updated_at stay: no one edited the household. One UPDATE … FROM
    # (a join with the snapshot, not a lookup per household), touching only changed deciles.
    households = (
        sa.update(household)
        .where(
            snapshot.c.period_id == period_id,
            snapshot.c.household_id == household.c.id,
            sa.or_(
                household.c.welfare_decile.is_(None),
                snapshot.c.welfare_decile != household.c.welfare_decile,
            ),
        )
        .values(welfare_decile=snapshot.c.welfare_decile, updated_at=household.c.updated_at)
    )
    return [
        ("decile cut-offs", lambda connection: connection.execute(cutoffs)),
        ("household deciles", lambda connection: connection.execute(households)),
        (
            "freeze model",
            lambda connection: pmt_models.freeze(connection, ranking.model_id, period_id),
        ),
    ]
