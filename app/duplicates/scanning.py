"""The batch scan: every living member of a region (or of the country) against the register,
in four set-based steps:

1. refresh the region's blocking keys (app.duplicates.keys) in duplicate_key (committed
   at once: they are derived from the register, whatever becomes of the rest);
2. candidate pairs in SQL: members sharing a key, in blocks of at most DUPLICATE_BLOCK_LIMIT
   (a key shared by more people — a common name born on a common day — tells nothing), at
   least one of the two in the region;
3. score each pair (app.duplicates.scoring) and keep those at POSSIBLE or above;
4. merge into duplicate_candidate, keeping every decision — the member pairs, and the household
   pairs they reveal (app.duplicates.households): a new pair is OPEN; a decided pair
   whose two records are unchanged stays decided; "different people" whose record changed is
   reopened; an open pair that no longer scores is dropped — in one transaction.

A rerun on unchanged data changes nothing (idempotent); one audit entry (`duplicate_scan`) says
what the scan found.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app import audit, codes
from app.clock import utcnow
from app.duplicates import households, keeping, scoring
from app.duplicates.people import in_region, living_members, person
from app.errors import ValidationError
from app.extensions import db
from models import DuplicateCandidate, DuplicateKey, Household, Member, Region
from models.enums import DuplicateLevel, DuplicateStatus

BATCH = 5_000
MEMBER_PAIR = ("first_id", "second_id")
HOUSEHOLD_PAIR = ("first_household_id", "second_household_id")
LEVELS = {scoring.LIKELY: DuplicateLevel.LIKELY, scoring.POSSIBLE: DuplicateLevel.POSSIBLE}


@dataclass
class ScanResult:
    region: str
    members: int = 0
    pairs: int = 0
    new: int = 0
    updated: int = 0
    reopened: int = 0
    dropped: int = 0
    kept_decisions: int = 0
    likely: int = 0
    possible: int = 0
    household_pairs: int = 0
    seconds: float = 0.0
    by_reason: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def check_region(region: str | None) -> str:
    """ "" (national) or the code of a region of the register; otherwise a ValidationError."""
    region = (region or "").strip()
    if not region:
        return ""
    if not codes.REGION_CODE.fullmatch(region) or db.session.get(Region, region) is None:
        raise ValidationError(gettext("Unknown region code %(code)s.", code=region), "region")
    return region


def scan(region: str = "", progress: Callable[..., None] | None = None) -> ScanResult:
    region = check_region(region)
    started = time.monotonic()
    result = ScanResult(region=region)
    report = progress or (lambda *args, **kwargs: None)
    report(0, 4, gettext("Computing matching keys"))
    result.members = _refresh_keys(region)
    # Keys are derived data, committed on their own: the progress written beside the scan
    # (its own transaction) must not wait behind them on SQLite's one writer.
    db.session.commit()
    report(1, 4, gettext("Finding candidate pairs"))
    pairs = candidate_pairs(region)
    result.pairs = len(pairs)
    report(2, 4, gettext("Comparing candidate pairs"))
    scored = _score(pairs)
    report(3, 4, gettext("Saving duplicate candidates"))
    _merge(region, scored, result)
    homes = _households(region, scored)
    result.household_pairs = len(homes)
    _merge(region, homes, result, HOUSEHOLD_PAIR)
    result.seconds = round(time.monotonic() - started, 2)
    audit.record("duplicate_scan", "duplicate", region_code=region or None, after=result.as_dict())
    db.session.commit()
    report(4, 4, gettext("Done"))
    return result


def _refresh_keys(region: str) -> int:
    table = DuplicateKey.__table__
    living = living_members(region).subquery()
    # The region's old keys, and those of its members that were somewhere else when last keyed.
    db.session.execute(
        sa.delete(table).where(
            sa.or_(
                in_region(table.c.village_code, region),
                table.c.member_id.in_(sa.select(living.c.id)),
            )
        )
    )
    members, rows, connection = 0, [], db.session.connection()
    for member in db.session.execute(living_members(region)).yield_per(BATCH):
        members += 1
        rows.extend(keeping.key_rows(member))
        if len(rows) >= BATCH:
            keeping.write(connection, rows)
            rows = []
    keeping.write(connection, rows)
    return members


def candidate_pairs(region: str) -> list[tuple[int, int]]:
    limit = current_app.config["DUPLICATE_BLOCK_LIMIT"]
    table = DuplicateKey.__table__
    mine = (
        sa.select(table.c.kind, table.c.key)
        .where(in_region(table.c.village_code, region))
        .distinct()
        .subquery()
    )
    block = table.alias("block")
    small = (
        sa.select(block.c.kind, block.c.key)
        .join(mine, sa.and_(mine.c.kind == block.c.kind, mine.c.key == block.c.key))
        .group_by(block.c.kind, block.c.key)
        .having(sa.func.count().between(2, limit))
        .subquery()
    )
    first, second = table.alias("first"), table.alias("second")
    query = (
        sa.select(first.c.member_id, second.c.member_id)
        .join(small, sa.and_(small.c.kind == first.c.kind, small.c.key == first.c.key))
        .join(
            second,
            sa.and_(
                second.c.kind == first.c.kind,
                second.c.key == first.c.key,
                second.c.member_id > first.c.member_id,
            ),
        )
        .where(
            sa.or_(
                in_region(first.c.village_code, region), in_region(second.c.village_code, region)
            )
        )
        .distinct()
    )
    return [tuple(row) for row in db.session.execute(query)]


def _people(ids: set[int]) -> dict[int, sa.Row]:
    found, ordered = {}, sorted(ids)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        query = living_members("").where(Member.id.in_(chunk))
        found.update((row.id, row) for row in db.session.execute(query))
    return found


@dataclass(frozen=True)
class Scored:
    first: sa.Row
    second: sa.Row
    score: scoring.Score
    level: DuplicateLevel


def _score(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Scored]:
    likely = current_app.config["DUPLICATE_LIKELY_SCORE"]
    possible = current_app.config["DUPLICATE_POSSIBLE_SCORE"]
    people = _people({member_id for pair in pairs for member_id in pair})
    scored = {}
    for first_id, second_id in pairs:
        first, second = people.get(first_id), people.get(second_id)
        if first is None or second is None:
            continue
        score = scoring.score(person(first), person(second))
        level = score.level(likely, possible)
        if level is not None:
            scored[(first_id, second_id)] = Scored(first, second, score, LEVELS[level])
    return scored


def _households(region: str, scored: dict[tuple[int, int], Scored]) -> dict:
    """Household pairs from the member pairs just scored (app.duplicates.households)."""
    return {
        pair: Scored(first, second, score, LEVELS[level])
        for pair, (first, second, score, level) in households.household_pairs(
            scored.values()
        ).items()
    }


def _merge(
    region: str,
    scored: dict[tuple[int, int], Scored],
    result: ScanResult,
    columns: tuple[str, str] = MEMBER_PAIR,
) -> None:
    table = DuplicateCandidate.__table__
    first_column, second_column = table.c[columns[0]], table.c[columns[1]]
    # Any record of the region, living or not: a pair whose record left the register is dropped.
    # Every scored pair has a record of the region (its keys were just made), so this finds
    # every earlier candidate the merge can meet.
    if columns == MEMBER_PAIR:
        of_region = (
            sa.select(Member.id)
            .join(Household, Household.id == Member.household_id)
            .where(in_region(Household.village_code, region))
        )
    else:
        of_region = sa.select(Household.id).where(in_region(Household.village_code, region))
    existing = {
        (row._mapping[first_column], row._mapping[second_column]): row
        for row in db.session.execute(
            sa.select(table).where(
                sa.or_(first_column.in_(of_region), second_column.in_(of_region))
            )
        )
    }
    now, new_rows = utcnow(), []
    for pair, found in scored.items():
        values = {
            "first_version": found.first.version,
            "second_version": found.second.version,
            "regency_code": codes.regency_of(found.first.village_code),
            "other_regency_code": codes.regency_of(found.second.village_code),
            "score": found.score.points,
            "level": found.level,
            "reasons": list(found.score.reasons),
        }
        if found.level is DuplicateLevel.LIKELY:
            result.likely += 1
        else:
            result.possible += 1
        for reason in found.score.reasons:
            result.by_reason[reason] = result.by_reason.get(reason, 0) + 1
        old = existing.get(pair)
        if old is None:
            new_rows.append(
                {
                    **values,
                    columns[0]: pair[0],
                    columns[1]: pair[1],
                    "found_at": now,
                    "status": DuplicateStatus.OPEN,
                }
            )
            continue
        unchanged = (old.first_version, old.second_version) == (
            values["first_version"],
            values["second_version"],
        )
        if old.status is not DuplicateStatus.OPEN:
            if unchanged or old.status is DuplicateStatus.SAME:
                result.kept_decisions += 1
                continue
            values.update(status=DuplicateStatus.OPEN, decided_at=None, decided_by_id=None)
            result.reopened += 1
        elif unchanged and _same_score(old, values):
            continue
        else:
            result.updated += 1
        db.session.execute(sa.update(table).where(table.c.id == old.id).values(**values))
    if new_rows:
        db.session.execute(sa.insert(table), new_rows)
        result.new += len(new_rows)
    gone = [
        old.id
        for pair, old in existing.items()
        if pair not in scored and old.status is DuplicateStatus.OPEN
    ]
    for start in range(0, len(gone), BATCH):
        db.session.execute(sa.delete(table).where(table.c.id.in_(gone[start : start + BATCH])))
    result.dropped += len(gone)


def _same_score(old, values: dict) -> bool:
    return (
        float(old.score) == values["score"]
        and old.level is values["level"]
        and list(old.reasons) == values["reasons"]
        and (old.regency_code, old.other_regency_code)
        == (values["regency_code"], values["other_regency_code"])
    )


#: The scan as a job (registered by create_app), queued from the console or before a close.
JOB_KIND = "duplicate_scan"


def scan_job(run, progress) -> dict:
    return scan((run.params or {}).get("region", ""), progress=progress).as_dict()
