"""Import files made from generated demo households (app.demo's generator, nothing written):
the documented sample, test files and the benchmark's 100,000 rows."""

import csv
import enum
import io
import random
from collections.abc import Iterator

from app.imports import columns


def demo_households(households: int, seed: int = 7, regions=("32.73",)) -> Iterator[tuple]:
    """(household, family by id, members) of `households` generated households, NIKs and KK
    numbers valid (DESIGN §3) and unique among themselves and against the register."""
    from app.demo.generator import Generator

    generator = Generator(seed, regions)
    redraw = random.Random(f"datakesos-import-sample-{seed}")
    seen: dict[str, set] = {"kk_number": set(), "nik": set()}
    for start in range(0, households, 500):
        batch = generator.batch(start, min(500, households - start))
        generator.make_unique(batch, households)
        # make_unique looks at the register and the batch; a file spans many batches.
        for key, rows_of_key in (("kk_number", batch.families), ("nik", batch.members)):
            for row in rows_of_key:
                while row[key] in seen[key]:
                    row[key] = row[key][:12] + f"{redraw.randint(1, 9999):04d}"
                seen[key].add(row[key])
        families = {family["id"]: family for family in batch.families}
        members: dict[int, list] = {}
        for member in batch.members:
            members.setdefault(member["household_id"], []).append(member)
        for household in batch.households:
            yield household, families, members[household["id"]]


def row_of(household: dict, families: dict, member: dict) -> list[str]:
    """A member's row of the file: its household's, family's and own values."""
    values = {**household, **member, "kk_number": families[member["family_id"]]["kk_number"]}
    return [cell(values.get(name)) for name in columns.NAMES]


def csv_bytes(households: int, seed: int = 7) -> bytes:
    """The header, then one row per member of `households` generated Kota Bandung households."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns.NAMES)
    for household, families, members in demo_households(households, seed):
        writer.writerows(row_of(household, families, member) for member in members)
    return buffer.getvalue().encode("utf-8")


def cell(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, enum.Enum):
        return value.name
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
