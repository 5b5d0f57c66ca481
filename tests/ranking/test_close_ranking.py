"""The close ranks the register: every determined household gets the active model's score and
decile, the deciles split the country in tenths, the cut-offs are kept, a rerun on a copy gives
the same ranking and hash, and a new model version changes the next period's ranking only."""

import uuid

import sqlalchemy as sa

from tests.fixtures.periods import (
    NEXT_CODE,
    copy_database,
    demo_households,
    drop_database,
    engine_for,
    flask_command,
    period_row,
)


def _ranking(connection, period_id):
    from models import PeriodSnapshot

    return connection.execute(
        sa.select(
            PeriodSnapshot.register_id,
            PeriodSnapshot.pmt_score,
            PeriodSnapshot.model_decile,
            PeriodSnapshot.welfare_decile,
            PeriodSnapshot.pmt_model_id,
        )
        .where(PeriodSnapshot.period_id == period_id)
        .order_by(PeriodSnapshot.register_id)
    ).all()


def test_the_close_ranks_every_household_into_tenths_and_keeps_the_cut_offs(app, fresh_period):
    from app import periods
    from app.extensions import db
    from app.ranking import pmt_models
    from models import Household, PeriodDecileCutoff

    demo_households(app, 400)
    with app.app_context():
        assert periods.close_period(fresh_period).closed
        connection = db.session.connection()
        period_id = period_row(connection, fresh_period).id
        rows = _ranking(connection, period_id)
        db.session.expire_all()
        model = pmt_models.active_model()
        assert model.first_used_period_id == period_id  # frozen by its first close
        assert rows and all(row.pmt_score is not None for row in rows)
        assert {row.pmt_model_id for row in rows} == {model.id}
        shares = [sum(row.model_decile == d for row in rows) / len(rows) for d in range(1, 11)]
        assert all(abs(share - 0.10) <= 0.005 for share in shares), shares
        # a poorer score never sits in a higher decile
        ordered = sorted(rows, key=lambda row: (row.pmt_score, row.register_id))
        assert [row.model_decile for row in ordered] == sorted(row.model_decile for row in rows)
        assert all(row.welfare_decile == row.model_decile for row in rows)  # no deliberation yet

        cutoffs = db.session.execute(
            sa.select(PeriodDecileCutoff)
            .where(PeriodDecileCutoff.period_id == period_id)
            .order_by(PeriodDecileCutoff.decile)
        ).scalars()
        cutoffs = list(cutoffs)
        assert [c.decile for c in cutoffs] == list(range(1, 11))
        assert sum(c.households for c in cutoffs) == len(rows)
        for lower, upper in zip(cutoffs, cutoffs[1:], strict=False):
            assert lower.max_score <= upper.min_score
        # the households carry the decile that counts now
        deciles = dict(
            db.session.execute(sa.select(Household.register_id, Household.welfare_decile)).all()
        )
        assert all(deciles[row.register_id] == row.welfare_decile for row in rows)


def test_a_rerun_on_a_copy_gives_the_same_scores_deciles_and_hash(app, fresh_period):
    from app import periods

    demo_households(app, 120)
    tag = uuid.uuid4().hex[:6]
    urls = copy_database(app, [f"rank_a_{tag}", f"rank_b_{tag}"])
    try:
        results = []
        for url in urls:
            close = flask_command("close-period", database=url)
            out, err = close.communicate(timeout=120)
            assert close.returncode == 0, out + err
            engine = engine_for(url)
            with engine.connect() as connection:
                period_id = period_row(connection, fresh_period).id
                ranking = [
                    (r.register_id, round(r.pmt_score, 9), r.model_decile, r.welfare_decile)
                    for r in _ranking(connection, period_id)
                ]
                results.append((ranking, periods.snapshot_hash(period_id, connection)))
            engine.dispose()
        assert results[0] == results[1]
        assert len(results[0][0]) >= 120
    finally:
        for url in urls:
            drop_database(url)


def test_a_new_model_version_changes_the_next_periods_ranking_only(app, fresh_period):
    import dataclasses

    from app import periods
    from app.extensions import db
    from app.ranking import pmt_models

    demo_households(app, 150)
    with app.app_context():
        first_model = pmt_models.active_model()
        assert periods.close_period(fresh_period).closed
        first = period_row(db.session.connection(), fresh_period).id
        before = (_ranking(db.session.connection(), first), periods.snapshot_hash(first))

        spec = pmt_models.spec_of(first_model.id)
        weights = dict(spec.weights, has_motorcycle=0.9, household_size=-0.3)
        version = f"test-{uuid.uuid4().hex[:6]}"
        pmt_models.store(dataclasses.replace(spec, version=version, weights=weights))
        pmt_models.activate(version)
        db.session.commit()
        try:
            assert periods.close_period(NEXT_CODE).closed
            second = period_row(db.session.connection(), NEXT_CODE).id
            after = _ranking(db.session.connection(), second)
            assert {row.pmt_model_id for row in after} == {pmt_models.find(version).id}
            assert [r.pmt_score for r in after] != [r.pmt_score for r in before[0]]
            # the closed period keeps its ranking
            assert _ranking(db.session.connection(), first) == before[0]
            assert periods.snapshot_hash(first) == before[1]
        finally:
            pmt_models.activate(first_model.version)
            db.session.commit()
