"""The map page (app/maps, views/maps.py) at the benchmark's size: national provinces as
Pusdatin, Kota Bandung's districts as its clerk, and the decile-share map of the provinces,
each beside the bare SQL of its values; and the size of the shipped regency boundaries."""

from __future__ import annotations

from bench_common import (
    OPERATOR,
    Bench,
    Figure,
    config_changed,
    get_ok,
    median_seconds,
    signed_in_client,
    timed_sql,
)

#: (figure, user, URL, the bare statement of its values)
PAGES = (
    (
        "map_page",
        "pusdatin",
        "/maps/",
        "SELECT substr(village_code, 1, 2), count(*) FROM household WHERE status = 'ACTIVE' "
        "GROUP BY 1",
    ),
    (
        "map_page.regency",
        OPERATOR,
        "/maps/",
        "SELECT substr(village_code, 1, 8), count(*) FROM household WHERE status = 'ACTIVE' "
        "AND village_code LIKE '32.73.%%' GROUP BY 1",
    ),
    (
        "map_page.decile_share",
        "pusdatin",
        "/maps/?indicator=decile_share&decile=1-4",
        "SELECT substr(village_code, 1, 2), count(*) FROM household WHERE status = 'ACTIVE' "
        "AND welfare_decile BETWEEN 1 AND 4 GROUP BY 1",
    ),
)


def map_page(bench: Bench) -> list[Figure]:
    figures = []
    period = _latest_closed()
    for name, user, url, sql in PAGES:
        client = signed_in_client(bench.app, user)
        reused = median_seconds(get_ok(client, url), repeat=9, warm_up=1)
        with config_changed(bench.app, DASHBOARD_REUSE_SECONDS=0):
            counted = median_seconds(get_ok(client, url), repeat=3, warm_up=1)
        bare = timed_sql([(sql, {})])
        figures.append(
            Figure(
                name,
                round(reused, 4),
                round(bare, 4),
                description=f"GET {url} as {user} (period {period or 'open'}; values reused as "
                "on Beranda for a large register) vs. the bare SQL of its values on the live "
                "register",
                details={"counted_every_view": round(counted, 4)},
                goals=[("value", "<=", 0.3)],
            )
        )
    from app.maps import shapes

    size = shapes.file_of(2).stat().st_size
    figures.append(
        Figure(
            "map_geojson.regencies",
            size,
            1_000_000,
            unit="bytes",
            description="the shipped GeoJSON of all 514 regencies vs. its 1 MB bound",
            goals=[("value", "<=", 1_000_000)],
        )
    )
    return figures


def _latest_closed() -> str | None:
    import sqlalchemy as sa

    from app.extensions import db
    from models import Period
    from models.enums import PeriodStatus

    return db.session.scalar(
        sa.select(Period.code)
        .where(Period.status == PeriodStatus.CLOSED)
        .order_by(Period.end_date.desc())
        .limit(1)
    )
