"""Demo data: deterministic, realistic households of poor and vulnerable families in West Java.

`generate(households=N, seed=S)` writes N households with their families, members and program
memberships, in batches of plain Core inserts (no ORM objects), and returns the counts. The same N
and seed give the same register ids, names, NIKs and KK numbers on any database; the only outside
input is the open period, whose first day is "today" for ages and dates.

Shapes follow the register's national figures (DESIGN §1, ../shared/seed): 27 M households,
28.8 M families, 98.2 M people — so ~3.6 people and ~1.07 families per household — of whom
96.8 M receive PBI JK, 10 M are in PKH and 15.5 M families receive BPNT; welfare deciles are
skewed to the poorest four.

A run is recognised by the register id of its first household: when that exists, nothing is
written (`DemoResult.already_present`). Another seed adds another set of households.
"""
import bisect
import datetime
import itertools
import os
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from faker import Faker
from flask import current_app
from flask_babel import gettext

from app.register import reference
from app.errors import ValidationError
from app.extensions import db, is_postgresql
from models import Family, Household, Member, Program, ProgramMembership, Region
from models.enums import (
    BuildingTenure, ChronicIllness, CookingFuel, Disability, DrinkingWater, Education,
    EmploymentStatus, FloorType, HouseholdStatus, LandTenure, Lighting, MaritalStatus,
    MembershipStatus, MemberStatus, Occupation, Relationship, RoofType, SchoolAttendance, Sex,
    Toilet, WallType,
)

DEFAULT_SEED = 2026
DEFAULT_REGIONS = ("32.73", "32.01")
#: Kota Bandung and Kabupaten Bogor share the default demo, 60/40.
DEFAULT_WEIGHTS = {"32.73": 0.6, "32.01": 0.4}
DEFAULT_PASSWORD = "Demo-Kesos-2026!"
BATCH_SIZE = 500

#: DESIGN §7: username, role, scope.
DEMO_USERS = (
    ("admin", "Admin", ""),
    ("pusdatin", "Pusdatin", ""),
    ("prov.jabar", "Provinsi", "32"),
    ("operator.bandung", "Operator", "32.73"),
    ("verifikator.bandung", "Verifikator", "32.73"),
    ("operator.bogor", "Operator", "32.01"),
    ("pengawas", "Pengawas", ""),
    ("interkoneksi", "Interkoneksi", "32"),
)

# National shares (2019): 28.8 M families in 27 M households; 98.2 M people.
SECOND_FAMILY_SHARE = 28.8 / 27.0 - 1.0
PBI_SHARE_POOREST = 96.8 / 98.2

_REGISTER_SPACE = 10 ** 10
_TABLES = ("household", "family", "member", "program_membership")


@dataclass
class DemoResult:
    households: int = 0
    families: int = 0
    members: int = 0
    memberships: int = 0
    #: Register id of the run's first household: the marker that makes a second run a no-op.
    marker: str = ""
    already_present: bool = False
    by_program: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Public functions


def generate(
    households: int,
    seed: int = DEFAULT_SEED,
    regions: Sequence[str] = DEFAULT_REGIONS,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> DemoResult:
    """Write `households` demo households (with families, members, memberships) in one
    transaction; nothing when this seed's first household is already registered."""
    if households < 1:
        raise ValidationError(gettext("The number of households must be at least 1."), "households")
    generator = _Generator(seed, regions)
    marker = generator.existing_marker()
    if marker:
        return DemoResult(marker=marker, already_present=True)
    result = DemoResult()
    try:
        for start in range(0, households, batch_size):
            count = min(batch_size, households - start)
            batch = generator.batch(start, count)
            generator.make_unique(batch, households)
            batch.insert()
            if start == 0:
                result.marker = batch.households[0]["register_id"]
            result.households += count
            result.families += len(batch.families)
            result.members += len(batch.members)
            result.memberships += len(batch.memberships)
            for row in batch.memberships:
                code = generator.program_codes[row["program_id"]]
                result.by_program[code] = result.by_program.get(code, 0) + 1
            if on_progress:
                on_progress(count)
        _advance_sequences()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def existing_marker(seed: int = DEFAULT_SEED, regions: Sequence[str] = DEFAULT_REGIONS) -> str:
    """The register id showing this seed's demo data is already present, or ""."""
    return _Generator(seed, regions).existing_marker()


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def create_demo_users(password: str | None = None) -> list[str]:
    """Create the demo users of DESIGN §7 that do not exist yet; existing ones are left alone."""
    from app.security.users import create_user

    security_manager = current_app.appbuilder.sm
    created = []
    for username, role, region in DEMO_USERS:
        if security_manager.find_user(username=username):
            continue
        create_user(username, role, password or demo_password(), region_code=region,
                    first_name=username)
        created.append(username)
    return created


# --------------------------------------------------------------------------------------------
# Distributions. Weights are (decile 1, decile 10) and move linearly in between, so the poorest
# live in the poorest houses; kota and kabupaten differ where cities and villages do.

DECILE_WEIGHTS = (22, 19, 16, 13, 9, 7, 5, 4, 3, 2)

BUILDING_TENURE = {
    "kota": {BuildingTenure.OWNED: (55, 75), BuildingTenure.RENTED: (28, 20),
             BuildingTenure.RENT_FREE: (14, 4), BuildingTenure.OFFICIAL: (0.5, 0.5),
             BuildingTenure.OTHER: (2.5, 0.5)},
    "kab": {BuildingTenure.OWNED: (82, 90), BuildingTenure.RENTED: (4, 6),
            BuildingTenure.RENT_FREE: (12, 3.5), BuildingTenure.OFFICIAL: (0.3, 0.3),
            BuildingTenure.OTHER: (1.7, 0.2)},
}
LAND_TENURE = {LandTenure.OWNED: (62, 88), LandTenure.OTHERS: (28, 9), LandTenure.STATE: (7, 2),
               LandTenure.OTHER: (3, 1)}
FLOOR = {FloorType.CERAMIC: (28, 70), FloorType.CEMENT: (34, 12), FloorType.TILE: (9, 10),
         FloorType.EARTH: (12, 0.5), FloorType.POOR_WOOD: (7, 1), FloorType.BAMBOO: (5, 0.2),
         FloorType.GOOD_WOOD: (2, 2), FloorType.PARQUET: (0.5, 2), FloorType.MARBLE: (0, 2.3),
         FloorType.OTHER: (2.5, 0)}
WALL = {WallType.MASONRY: (52, 94), WallType.PLASTERED_BAMBOO: (9, 2), WallType.WOOD: (12, 3),
        WallType.WOVEN_BAMBOO: (20, 0.8), WallType.BAMBOO: (4, 0.1), WallType.LOGS: (1, 0),
        WallType.OTHER: (2, 0.1)}
ROOF = {RoofType.CLAY_TILE: (52, 55), RoofType.ASBESTOS: (20, 12), RoofType.ZINC: (12, 3),
        RoofType.METAL_TILE: (7, 18), RoofType.CONCRETE: (1, 8), RoofType.CERAMIC_TILE: (0.5, 4),
        RoofType.SHINGLE: (2, 0), RoofType.BAMBOO: (2, 0), RoofType.THATCH: (2.5, 0),
        RoofType.OTHER: (1, 0)}
WATER = {
    "kota": {DrinkingWater.REFILL: (38, 45), DrinkingWater.PIPED_METERED: (14, 25),
             DrinkingWater.PIPED_RETAIL: (4, 1), DrinkingWater.BOREHOLE: (20, 12),
             DrinkingWater.PROTECTED_WELL: (14, 5), DrinkingWater.UNPROTECTED_WELL: (4, 0),
             DrinkingWater.BOTTLED: (2, 12), DrinkingWater.PROTECTED_SPRING: (2, 0),
             DrinkingWater.UNPROTECTED_SPRING: (1, 0), DrinkingWater.OTHER: (1, 0)},
    "kab": {DrinkingWater.PROTECTED_WELL: (30, 25), DrinkingWater.BOREHOLE: (18, 25),
            DrinkingWater.REFILL: (17, 30), DrinkingWater.PROTECTED_SPRING: (11, 5),
            DrinkingWater.UNPROTECTED_WELL: (9, 1), DrinkingWater.UNPROTECTED_SPRING: (6, 0.5),
            DrinkingWater.PIPED_METERED: (4, 8), DrinkingWater.PIPED_RETAIL: (1, 0.5),
            DrinkingWater.SURFACE: (2, 0), DrinkingWater.RAIN: (0.5, 0),
            DrinkingWater.BOTTLED: (0.5, 5), DrinkingWater.OTHER: (1, 0)},
}
LIGHTING = {Lighting.PLN_METERED: (78, 98), Lighting.PLN_UNMETERED: (19, 2),
            Lighting.NON_PLN: (1.5, 0), Lighting.NONE: (1.5, 0)}
COOKING = {
    "kota": {CookingFuel.LPG_3KG: (94, 80), CookingFuel.LPG_LARGE: (0.5, 14),
             CookingFuel.ELECTRICITY: (0.2, 4), CookingFuel.KEROSENE: (1.3, 0),
             CookingFuel.FIREWOOD: (1, 0), CookingFuel.NONE: (3, 2)},
    "kab": {CookingFuel.LPG_3KG: (78, 84), CookingFuel.LPG_LARGE: (0.3, 10),
            CookingFuel.ELECTRICITY: (0.1, 2), CookingFuel.KEROSENE: (1, 0),
            CookingFuel.FIREWOOD: (17, 3), CookingFuel.CHARCOAL: (1, 0),
            CookingFuel.BRIQUETTE: (0.3, 0), CookingFuel.BIOGAS: (0.3, 0),
            CookingFuel.NONE: (2, 1)},
}
TOILET = {
    "kota": {Toilet.PRIVATE: (72, 97), Toilet.SHARED: (16, 2), Toilet.PUBLIC: (10, 1),
             Toilet.NONE: (2, 0)},
    "kab": {Toilet.PRIVATE: (66, 95), Toilet.SHARED: (14, 3), Toilet.PUBLIC: (6, 1),
            Toilet.NONE: (14, 1)},
}
#: Probability of owning each asset of the verification form, at decile 1 and at decile 10.
ASSETS = {
    "has_gas_cylinder": (0.04, 0.45), "has_refrigerator": (0.22, 0.8),
    "has_air_conditioner": (0.004, 0.15), "has_water_heater": (0.004, 0.1),
    "has_landline": (0.005, 0.05), "has_television": (0.7, 0.95), "has_gold": (0.03, 0.3),
    "has_computer": (0.03, 0.35), "has_bicycle": (0.15, 0.35), "has_motorcycle": (0.42, 0.9),
    "has_car": (0.004, 0.2), "has_boat": (0.002, 0.004), "has_outboard_motor": (0.001, 0.003),
    "has_motorboat": (0.001, 0.002), "has_smartphone": (0.55, 0.95), "owns_land": (0.08, 0.35),
    "owns_other_house": (0.01, 0.1),
}
OCCUPATIONS = {
    "kota": {Occupation.TRADE: 26, Occupation.CONSTRUCTION: 16, Occupation.MANUFACTURING: 14,
             Occupation.TRANSPORT: 12, Occupation.SERVICES: 12, Occupation.FOOD_SERVICE: 10,
             Occupation.FOOD_CROPS: 2, Occupation.HORTICULTURE: 1, Occupation.LIVESTOCK: 1,
             Occupation.OTHER: 6},
    "kab": {Occupation.FOOD_CROPS: 24, Occupation.HORTICULTURE: 10, Occupation.LIVESTOCK: 4,
            Occupation.PLANTATION: 3, Occupation.FISHERY: 2, Occupation.FORESTRY: 1,
            Occupation.MINING: 1, Occupation.CONSTRUCTION: 14, Occupation.TRADE: 16,
            Occupation.MANUFACTURING: 10, Occupation.TRANSPORT: 6, Occupation.SERVICES: 5,
            Occupation.FOOD_SERVICE: 2, Occupation.OTHER: 2},
}
FARM_WORK = {Occupation.FOOD_CROPS, Occupation.HORTICULTURE, Occupation.PLANTATION,
             Occupation.FISHERY, Occupation.LIVESTOCK, Occupation.FORESTRY}
FARM_EMPLOYMENT = {EmploymentStatus.SELF_EMPLOYED: 40, EmploymentStatus.CASUAL_FARM: 45,
                   EmploymentStatus.FAMILY_WORKER: 10, EmploymentStatus.EMPLOYER_TEMPORARY: 5}
OTHER_EMPLOYMENT = {EmploymentStatus.SELF_EMPLOYED: 35, EmploymentStatus.CASUAL_OTHER: 30,
                    EmploymentStatus.EMPLOYEE: 28, EmploymentStatus.FAMILY_WORKER: 4,
                    EmploymentStatus.EMPLOYER_TEMPORARY: 2, EmploymentStatus.CIVIL_SERVANT: 1}
ADULT_EDUCATION = {Education.NONE: (6, 2), Education.PRIMARY: (42, 18), Education.JUNIOR: (22, 20),
                   Education.SENIOR: (24, 42), Education.DIPLOMA: (2, 6),
                   Education.BACHELOR: (4, 11), Education.POSTGRADUATE: (0, 1)}
ELDER_EDUCATION = {Education.NONE: 30, Education.PRIMARY: 52, Education.JUNIOR: 9,
                   Education.SENIOR: 7, Education.BACHELOR: 2}
YOUTH_EDUCATION = {Education.SENIOR: 45, Education.JUNIOR: 30, Education.PRIMARY: 20,
                   Education.NONE: 3, Education.DIPLOMA: 2}
DISABILITIES = {Disability.PHYSICAL: 35, Disability.VISUAL: 20, Disability.HEARING: 15,
                Disability.SPEECH: 5, Disability.INTELLECTUAL: 10, Disability.PSYCHOSOCIAL: 8,
                Disability.MULTIPLE: 7}
ILLNESSES = {ChronicIllness.HYPERTENSION: 40, ChronicIllness.RHEUMATISM: 15,
             ChronicIllness.DIABETES: 12, ChronicIllness.ASTHMA: 8, ChronicIllness.HEART: 7,
             ChronicIllness.STROKE: 5, ChronicIllness.TUBERCULOSIS: 4, ChronicIllness.CANCER: 2,
             ChronicIllness.OTHER: 7}

# Program take-up by welfare decile, calibrated so the totals land near the national shares:
# PBI JK ~96.8/98.2 of people in deciles 1-4; PKH ~10/28.8 and BPNT ~15.5/28.8 of families.
PBI_BY_DECILE = (PBI_SHARE_POOREST,) * 4 + (0.75, 0.6, 0.45, 0.3, 0.3, 0.3)
PKH_BY_DECILE = (0.86, 0.72, 0.53, 0.33, 0.13, 0.05, 0.02, 0.0, 0.0, 0.0)
BPNT_BY_DECILE = (0.82, 0.75, 0.62, 0.48, 0.28, 0.14, 0.04, 0.04, 0.04, 0.04)

#: Common Sundanese names, mixed with Faker's Indonesian ones for a West Javan register.
SUNDANESE_MALE = ("Asep", "Ujang", "Dadang", "Cecep", "Yayat", "Deden", "Iwan", "Entis", "Dede",
                  "Jajang", "Encep", "Ade", "Aep", "Usep", "Endang", "Mamat", "Ayi", "Engkus",
                  "Dadan", "Agus", "Yanto", "Ridwan", "Rahmat", "Oman", "Cahya", "Wawan")
SUNDANESE_FEMALE = ("Euis", "Neng", "Iis", "Enok", "Imas", "Cucu", "Yati", "Nining", "Tati", "Ai",
                    "Entin", "Eti", "Ikah", "Popon", "Nenden", "Siti", "Rina", "Lilis", "Iyah",
                    "Nani", "Wati", "Yuyun", "Dewi", "Tuti", "Elis", "Ela")
SUNDANESE_FAMILY = ("Suryana", "Sopandi", "Supriatna", "Hidayat", "Permana", "Kusnadi", "Rohmat",
                    "Mulyana", "Sumarna", "Setiawan", "Sutisna", "Saepudin", "Nurdin", "Sobari",
                    "Ruhiyat", "Komarudin", "Sukmana", "Kurniawan", "Gunawan", "Hermawan")
OTHER_BIRTHPLACES = ("Garut", "Tasikmalaya", "Cianjur", "Sukabumi", "Ciamis", "Kuningan",
                     "Cirebon", "Sumedang", "Majalengka", "Subang", "Jakarta", "Tegal", "Brebes",
                     "Indramayu", "Purwakarta", "Karawang", "Bekasi", "Depok", "Cimahi",
                     "Semarang", "Surabaya", "Yogyakarta", "Serang", "Lampung", "Medan")

#: Approximate centres (latitude, longitude) of West Java's regencies and cities.
CENTRES = {
    "32.01": (-6.55, 106.80), "32.02": (-7.07, 106.70), "32.03": (-7.10, 107.15),
    "32.04": (-7.03, 107.55), "32.05": (-7.25, 107.85), "32.06": (-7.45, 108.15),
    "32.07": (-7.30, 108.40), "32.08": (-7.00, 108.55), "32.09": (-6.75, 108.50),
    "32.10": (-6.85, 108.25), "32.11": (-6.85, 107.95), "32.12": (-6.45, 108.20),
    "32.13": (-6.50, 107.75), "32.14": (-6.58, 107.45), "32.15": (-6.30, 107.35),
    "32.16": (-6.25, 107.15), "32.17": (-6.85, 107.45), "32.18": (-7.65, 108.55),
    "32.71": (-6.595, 106.80), "32.72": (-6.92, 106.93), "32.73": (-6.915, 107.61),
    "32.74": (-6.72, 108.56), "32.75": (-6.25, 106.99), "32.76": (-6.40, 106.82),
    "32.77": (-6.88, 107.54), "32.78": (-7.33, 108.22), "32.79": (-7.37, 108.53),
}


class _Picker:
    """Weighted choice with precomputed cumulative weights, per decile when weights are pairs."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        pairs = [w if isinstance(w, tuple) else (w, w) for w in weights.values()]
        self.cumulative = []
        for decile in range(1, 11):
            t = (decile - 1) / 9
            running, cumulative = 0.0, []
            for low, high in pairs:
                running += low + (high - low) * t
                cumulative.append(running)
            self.cumulative.append(cumulative)

    def __call__(self, rng: random.Random, decile: int = 1):
        cumulative = self.cumulative[decile - 1]
        return self.values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _pickers(table):
    if "kota" in table:
        return {kind: _Picker(weights) for kind, weights in table.items()}
    return _Picker(table)


PICK = {
    "decile": _Picker({d: w for d, w in enumerate(DECILE_WEIGHTS, 1)}),
    "building": _pickers(BUILDING_TENURE), "land": _pickers(LAND_TENURE),
    "floor": _pickers(FLOOR), "wall": _pickers(WALL), "roof": _pickers(ROOF),
    "water": _pickers(WATER), "lighting": _pickers(LIGHTING), "cooking": _pickers(COOKING),
    "toilet": _pickers(TOILET), "occupation": _pickers(OCCUPATIONS),
    "farm_employment": _Picker(FARM_EMPLOYMENT), "other_employment": _Picker(OTHER_EMPLOYMENT),
    "adult_education": _Picker(ADULT_EDUCATION), "elder_education": _Picker(ELDER_EDUCATION),
    "youth_education": _Picker(YOUTH_EDUCATION), "disability": _Picker(DISABILITIES),
    "illness": _Picker(ILLNESSES),
}
POOR_FLOORS = {FloorType.EARTH, FloorType.BAMBOO, FloorType.POOR_WOOD}
POOR_WALLS = {WallType.WOVEN_BAMBOO, WallType.BAMBOO, WallType.LOGS}
POOR_ROOFS = {RoofType.THATCH, RoofType.BAMBOO, RoofType.SHINGLE}


# --------------------------------------------------------------------------------------------
# The generator


@dataclass
class _Regency:
    code: str            # "32.73"
    name: str            # "Bandung"
    kind: str            # "kota" or "kab"
    weight: float
    villages: list       # [(village code, district code "327301")]


@dataclass
class _Person:
    relation: Relationship
    sex: Sex
    birth_date: datetime.date
    family: int = 0
    marital: MaritalStatus = MaritalStatus.SINGLE
    working: float = 0.0      # probability of working, for adults out of school


class _Batch:
    def __init__(self):
        self.households: list[dict] = []
        self.families: list[dict] = []
        self.members: list[dict] = []
        self.memberships: list[dict] = []

    def insert(self) -> None:
        for table, rows in (
            (Household.__table__, self.households), (Family.__table__, self.families),
            (Member.__table__, self.members), (ProgramMembership.__table__, self.memberships),
        ):
            if rows:
                db.session.execute(sa.insert(table), rows)


class _Generator:
    def __init__(self, seed: int, regions: Sequence[str], regencies: list | None = None):
        self.seed = seed
        self.rng = random.Random(f"datakesos-demo-{seed}")
        # Draws made to repair collisions with existing rows come from their own stream, so the
        # main stream (and everything not colliding) stays the same whatever the database holds.
        self.repair_rng = random.Random(f"datakesos-demo-repair-{seed}")
        self.regencies = regencies or _load_regencies(regions)
        self._regency_cumulative = list(
            itertools.accumulate(regency.weight for regency in self.regencies)
        )
        identity_rng = random.Random(f"datakesos-demo-register-{seed}")
        self.register_offset = identity_rng.randrange(_REGISTER_SPACE)
        # A stride coprime with 10^10 walks through every 10-digit number once: ids are unique
        # within a run however many households it makes, without remembering them.
        stride = identity_rng.randrange(10 ** 9, _REGISTER_SPACE)
        while stride % 2 == 0 or stride % 5 == 0:
            stride += 1
        self.register_stride = stride
        self._spare_numbers = None
        # The first draw of the main stream picks household 0's regency: replay it here so the
        # run's marker (household 0's register id) is known before anything is generated.
        self._first_regency = self._pick_regency(random.Random(f"datakesos-demo-{seed}"))
        self._names(seed)
        self.today = _reference_date()
        self.now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        programs = {p.code: p.id for p in db.session.scalars(sa.select(Program))}
        missing = {code for code, _name, _level in reference.PROGRAMS} - set(programs)
        if missing:
            reference.ensure_programs()
            programs = {p.code: p.id for p in db.session.scalars(sa.select(Program))}
        self.programs = programs
        self.program_codes = {pid: code for code, pid in programs.items()}
        self.next_id = {
            table: (db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0) + 1
            for table in _TABLES
        }

    # -- identities -----------------------------------------------------------------------

    def _names(self, seed: int) -> None:
        from faker.providers.person.id_ID import Provider as Person

        fake = Faker("id_ID")
        fake.seed_instance(seed)
        self.male_names = list(Person.first_names_male) + list(SUNDANESE_MALE) * 6
        self.female_names = list(Person.first_names_female) + list(SUNDANESE_FEMALE) * 6
        self.male_family = list(Person.last_names_male) + list(SUNDANESE_FAMILY) * 4
        self.female_family = list(Person.last_names_female) + list(SUNDANESE_FAMILY) * 2
        # Street and kampung names drawn once from the seeded Faker: cheap to pick from later.
        self.streets = [fake.street_name() for _ in range(400)]
        self.kampung = [fake.street_name().split(" ", 1)[1] for _ in range(400)]
        self.birthplaces = list(OTHER_BIRTHPLACES)

    def register_number(self, index: int) -> str:
        """The 10-digit part of the index-th household's register id."""
        number = (self.register_offset + self.register_stride * index) % _REGISTER_SPACE
        return f"{number:010d}"

    def register_id(self, index: int, regency: _Regency) -> str:
        return regency.code.replace(".", "") + self.register_number(index)

    def existing_marker(self) -> str:
        """The first household's register id if it is registered already."""
        marker = self.register_id(0, self._first_regency)
        found = db.session.scalar(
            sa.select(Household.register_id).where(Household.register_id == marker)
        )
        return found or ""

    def _pick_regency(self, rng: random.Random) -> _Regency:
        x = rng.random() * self._regency_cumulative[-1]
        return self.regencies[bisect.bisect(self._regency_cumulative, x)]

    def _nik(self, district: str, person: _Person, rng: random.Random) -> str:
        day = person.birth_date.day + (40 if person.sex is Sex.FEMALE else 0)
        serial = rng.randint(1, 4999)
        return f"{district}{day:02d}{person.birth_date:%m%y}{serial:04d}"

    def _kk(self, district: str, issued: datetime.date, rng: random.Random) -> str:
        return f"{district}{issued:%d%m%y}{rng.randint(1, 9999):04d}"

    # -- a batch ----------------------------------------------------------------------------

    def batch(self, start: int, count: int) -> _Batch:
        batch = _Batch()
        for index in range(start, start + count):
            self._household(index, batch)
        return batch

    def make_unique(self, batch: _Batch, households: int) -> None:
        """Redraw any register id, KK number or NIK that is taken (by earlier batches of this run,
        other seeds or real data) or repeated inside the batch."""
        if self._spare_numbers is None:
            # Numbers past the last household's index: never drawn by this run.
            self._spare_numbers = itertools.count(households)
        extra = self._spare_numbers
        _repair(batch.households, "register_id", Household.register_id,
                lambda row: row["register_id"][:4] + self.register_number(next(extra)))
        _repair(batch.families, "kk_number", Family.kk_number,
                lambda row: row["kk_number"][:12] + f"{self.repair_rng.randint(1, 9999):04d}")
        _repair(batch.members, "nik", Member.nik,
                lambda row: row["nik"][:12] + f"{self.repair_rng.randint(1, 9999):04d}")

    def _take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _household(self, index: int, batch: _Batch) -> None:
        rng = self.rng
        regency = self._pick_regency(rng)
        village, district = regency.villages[rng.randrange(len(regency.villages))]
        decile = PICK["decile"](rng)
        kind = regency.kind
        household_id = self._take_id("household")
        people = self._people(rng, regency)

        row = {
            "id": household_id,
            "register_id": self.register_id(index, regency),
            "village_code": village,
            "address": self._address(rng, kind),
            "rt": f"{rng.randint(1, 12):03d}",
            "rw": f"{rng.randint(1, 15 if kind == 'kota' else 9):03d}",
            "status": HouseholdStatus.ACTIVE,
            "welfare_decile": decile,
            "created_at": self.now, "updated_at": self.now, "version": 1,
        }
        row["latitude"], row["longitude"] = _coordinates(rng, regency.code, district, kind)
        self._housing(rng, row, kind, decile, len(people))
        batch.households.append(row)

        family_ids, family_members = [], []
        for family_index in range(max(p.family for p in people) + 1):
            family_ids.append(self._take_id("family"))
            family_members.append([p for p in people if p.family == family_index])
        member_rows = []
        for person in people:
            member_rows.append(self._member(rng, person, regency, district, household_id,
                                            family_ids[person.family], decile))
        batch.members.extend(member_rows)
        for family_id, members in zip(family_ids, family_members):
            youngest = max(p.birth_date for p in members)
            issued = _date_between(rng, max(youngest, datetime.date(2008, 1, 1)), self.today)
            batch.families.append({
                "id": family_id, "kk_number": self._kk(district, issued, rng),
                "household_id": household_id,
                "created_at": self.now, "updated_at": self.now, "version": 1,
            })
        self._memberships(rng, batch, row, family_ids, member_rows)

    # -- people -----------------------------------------------------------------------------

    def _born(self, rng: random.Random, age: float) -> datetime.date:
        """A birth date `age` years (fractional) before the reference day, never after it."""
        days = int(age * 365.25) + rng.randrange(365)
        return self.today - datetime.timedelta(days=max(days, 1))

    def _people(self, rng: random.Random, regency: _Regency) -> list[_Person]:
        two_families = rng.random() < SECOND_FAMILY_SHARE
        head_sex = Sex.MALE if rng.random() < 0.8 else Sex.FEMALE
        if two_families:
            head_age = min(85, max(45, int(rng.gauss(58, 8))))
        else:
            head_age = min(90, max(19, int(rng.gauss(46, 13))))
        head = _Person(Relationship.HEAD, head_sex, self._born(rng, head_age))
        people = [head]

        mother_age = None
        if head_sex is Sex.MALE:
            married = rng.random() < (0.9 if head_age < 65 else 0.62)
            if married:
                head.marital = MaritalStatus.MARRIED
                wife_age = min(head_age, max(17, int(head_age - rng.gauss(4, 3))))
                people.append(_Person(Relationship.SPOUSE, Sex.FEMALE, self._born(rng, wife_age),
                                      marital=MaritalStatus.MARRIED, working=0.4))
                mother_age = wife_age
            else:
                head.marital = _pick_alone(rng, head_age)
                mother_age = head_age - 4 if head.marital is not MaritalStatus.SINGLE else None
            head.working = 0.92 if head_age < 65 else (0.55 if head_age < 75 else 0.2)
        else:
            head.marital = _pick_alone(rng, head_age)
            head.working = 0.75 if head_age < 60 else 0.3
            mother_age = head_age if head.marital is not MaritalStatus.SINGLE else None
        if two_families and head.marital is MaritalStatus.SINGLE:
            head.marital = MaritalStatus.WIDOWED  # a married child's parent
            mother_age = head_age if head_sex is Sex.FEMALE else head_age - 4

        if mother_age is not None:
            for child_age in _children_ages(rng, mother_age):
                if child_age > 30 or (child_age > 24 and rng.random() < 0.5):
                    continue  # grown up and moved out
                sex = Sex.MALE if rng.random() < 0.51 else Sex.FEMALE
                child = _Person(Relationship.CHILD, sex, self._born(rng, child_age),
                                working=0.7 if sex is Sex.MALE else 0.45)
                if child_age >= 22 and rng.random() < 0.05:
                    child.marital = MaritalStatus.DIVORCED
                people.append(child)

        if head_age < 62 and rng.random() < 0.07:
            parent_age = min(95, head_age + rng.randint(20, 33))
            sex = Sex.FEMALE if rng.random() < 0.75 else Sex.MALE
            people.append(_Person(Relationship.PARENT, sex, self._born(rng, parent_age),
                                  marital=MaritalStatus.WIDOWED, working=0.1))
        if rng.random() < 0.03:
            sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
            people.append(_Person(Relationship.OTHER, sex, self._born(rng, rng.randint(4, 24)),
                                  working=0.5))

        if two_families:
            # A married child living with the parents, on a family card of their own.
            child_age = min(head_age - 19, max(19, int(rng.gauss(27, 4))))
            child_sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
            in_law_age = max(18, child_age + (rng.randint(0, 6) if child_sex is Sex.MALE
                                              else -rng.randint(0, 6)))
            in_law_age = min(in_law_age, child_age + 8)
            child = _Person(Relationship.CHILD, child_sex, self._born(rng, child_age), family=1,
                            marital=MaritalStatus.MARRIED,
                            working=0.9 if child_sex is Sex.MALE else 0.35)
            in_law_sex = Sex.FEMALE if child_sex is Sex.MALE else Sex.MALE
            in_law = _Person(Relationship.CHILD_IN_LAW, in_law_sex, self._born(rng, in_law_age),
                             family=1, marital=MaritalStatus.MARRIED,
                             working=0.9 if in_law_sex is Sex.MALE else 0.35)
            people += [child, in_law]
            young_mother = child_age if child_sex is Sex.FEMALE else in_law_age
            for grandchild_age in _children_ages(rng, young_mother, most=3):
                sex = Sex.MALE if rng.random() < 0.51 else Sex.FEMALE
                people.append(_Person(Relationship.GRANDCHILD, sex,
                                      self._born(rng, grandchild_age), family=1))
        return people

    def _member(self, rng, person: _Person, regency: _Regency, district: str, household_id: int,
                family_id: int, decile: int) -> dict:
        age = _age(person.birth_date, self.today)
        if person.sex is Sex.MALE:
            name = rng.choice(self.male_names)
            if rng.random() < 0.55:
                name += " " + rng.choice(self.male_family)
        else:
            name = rng.choice(self.female_names)
            if rng.random() < 0.45:
                name += " " + rng.choice(self.female_family)
        attendance, education = _schooling(rng, age, decile)
        occupation = employment = None
        if age >= 10:
            occupation, employment = Occupation.NOT_WORKING, EmploymentStatus.NOT_WORKING
            if attendance is not SchoolAttendance.ATTENDING and age >= 15 and (
                rng.random() < person.working
            ):
                occupation = PICK["occupation"][regency.kind](rng)
                farm = occupation in FARM_WORK
                employment = PICK["farm_employment" if farm else "other_employment"](rng)
                if person.relation is Relationship.SPOUSE and rng.random() < 0.3:
                    employment = EmploymentStatus.FAMILY_WORKER
        disability = Disability.NONE
        if rng.random() < 0.01 + 0.0015 * max(0, age - 40):
            disability = PICK["disability"](rng)
        illness = ChronicIllness.NONE
        if rng.random() < (0.02 if age < 40 else 0.12 if age < 60 else 0.3):
            illness = PICK["illness"](rng)
            if age < 40 and rng.random() < 0.5:
                illness = ChronicIllness.ASTHMA
        return {
            "id": self._take_id("member"),
            "nik": self._nik(district, person, rng),
            "full_name": name,
            "family_id": family_id,
            "household_id": household_id,
            "relation_to_head": person.relation,
            "sex": person.sex,
            "birth_place": regency.name if rng.random() < 0.8 else rng.choice(self.birthplaces),
            "birth_date": person.birth_date,
            "marital_status": person.marital,
            "education": education,
            "school_attendance": attendance,
            "occupation": occupation,
            "employment_status": employment,
            "disability": disability,
            "chronic_illness": illness,
            "status": MemberStatus.ACTIVE,
            "created_at": self.now, "updated_at": self.now, "version": 1,
        }

    # -- house ------------------------------------------------------------------------------

    def _address(self, rng, kind: str) -> str:
        if kind == "kab" and rng.random() < 0.55:
            return f"Kp. {rng.choice(self.kampung)}"
        return f"{rng.choice(self.streets)} No. {rng.randint(1, 180)}"

    def _housing(self, rng, row: dict, kind: str, decile: int, persons: int) -> None:
        row["building_tenure"] = PICK["building"][kind](rng, decile)
        if row["building_tenure"] in (BuildingTenure.RENTED, BuildingTenure.RENT_FREE):
            row["land_tenure"] = LandTenure.OTHERS
        else:
            row["land_tenure"] = PICK["land"](rng, decile)
        row["floor_area_m2"] = max(9, int(rng.gauss(14 + 6 * persons + 4 * (decile - 1), 8)))
        row["floor_type"] = PICK["floor"](rng, decile)
        row["wall_type"] = PICK["wall"](rng, decile)
        row["roof_type"] = PICK["roof"](rng, decile)
        row["drinking_water"] = PICK["water"][kind](rng, decile)
        row["lighting"] = PICK["lighting"](rng, decile)
        row["cooking_fuel"] = PICK["cooking"][kind](rng, decile)
        row["toilet"] = PICK["toilet"][kind](rng, decile)
        t = (decile - 1) / 9
        for column, (low, high) in ASSETS.items():
            row[column] = rng.random() < low + (high - low) * t
        if row["cooking_fuel"] is CookingFuel.LPG_LARGE:
            row["has_gas_cylinder"] = True
        if kind == "kab" and row["owns_land"] is False and rng.random() < 0.08:
            row["owns_land"] = True  # a small rice field or garden plot

    # -- programs ---------------------------------------------------------------------------

    def _memberships(self, rng, batch: _Batch, household: dict, family_ids: list[int],
                     members: list[dict]) -> None:
        decile = household["welfare_decile"]
        today = self.today

        def add(code, start, card, family_id=None, member_id=None):
            batch.memberships.append({
                "id": self._take_id("program_membership"),
                "program_id": self.programs[code],
                "household_id": household["id"],
                "family_id": family_id,
                "member_id": member_id,
                "status": MembershipStatus.ACTIVE,
                "start_date": start,
                "end_date": None,
                "card_number": card,
            })

        for family_id in family_ids:
            people = [m for m in members if m["family_id"] == family_id]
            ages = [_age(m["birth_date"], today) for m in people]
            # PBI JK is granted per family card: everyone on it, newborns from their birth.
            if rng.random() < PBI_BY_DECILE[decile - 1]:
                enrolled = _date_between(rng, datetime.date(2014, 1, 1), today)
                for member in people:
                    start = max(enrolled, member["birth_date"])
                    add("PBI-JK", start, f"000{rng.randrange(10 ** 10):010d}",
                        member_id=member["id"])
            # PKH needs a component: young children, school children, elderly, disability.
            eligible = any(a < 19 or a >= 60 for a in ages) or any(
                m["disability"] is not Disability.NONE for m in people)
            kks = f"6013{rng.randrange(10 ** 12):012d}"  # one welfare card per family
            in_pkh = eligible and rng.random() < PKH_BY_DECILE[decile - 1]
            if in_pkh:
                add("PKH", _date_between(rng, datetime.date(2012, 1, 1), today), kks,
                    family_id=family_id)
            if rng.random() < BPNT_BY_DECILE[decile - 1]:
                add("BPNT", _date_between(rng, datetime.date(2017, 2, 1), today), kks,
                    family_id=family_id)
            if decile <= 5:
                chance = 0.6 if in_pkh else (0.3 if decile <= 4 else 0.1)
                for member, age in zip(people, ages):
                    if (6 <= age <= 21
                            and member["school_attendance"] is SchoolAttendance.ATTENDING
                            and rng.random() < chance):
                        start_of_school = _add_years(member["birth_date"], 6)
                        start = _date_between(
                            rng, max(datetime.date(2015, 1, 1), start_of_school), today)
                        add("PIP", start, _kip_number(rng), member_id=member["id"])
        poor_house = (household["floor_type"] in POOR_FLOORS
                      or household["wall_type"] in POOR_WALLS
                      or household["roof_type"] in POOR_ROOFS)
        if decile <= 4 and poor_house and rng.random() < 0.15:
            start = _date_between(rng, today - datetime.timedelta(days=730), today)
            add("RUTILAHU", start, f"RTLH/{start.year}/{rng.randint(1, 99999):05d}")


# --------------------------------------------------------------------------------------------
# Helpers


def _load_regencies(regions: Iterable[str]) -> list[_Regency]:
    """Villages under each requested region code, grouped by regency, with their weights."""
    codes = [code.strip() for code in regions if code and code.strip()]
    if not codes:
        raise ValidationError(gettext("Give at least one region code."), "regions")
    weights = DEFAULT_WEIGHTS if set(codes) == set(DEFAULT_WEIGHTS) else {c: 1.0 for c in codes}
    found = {
        region.code: region
        for region in db.session.scalars(sa.select(Region).where(Region.code.in_(codes)))
    }
    regencies: dict[str, _Regency] = {}
    for code in codes:
        region = found.get(code)
        if region is None:
            raise ValidationError(
                gettext("Unknown region code %(code)s. Run `flask datakesos init` first if no "
                        "regions are loaded.", code=code), "regions")
        query = sa.select(Region.code).where(Region.level == 4).order_by(Region.code)
        if region.level == 4:
            query = query.where(Region.code == code)
        else:
            query = query.where(Region.code.startswith(code + "."))
        villages = list(db.session.scalars(query))
        by_regency: dict[str, list[str]] = {}
        for village in villages:
            by_regency.setdefault(village[:5], []).append(village)
        total = len(villages) or 1
        for regency_code, regency_villages in by_regency.items():
            # A province or several regencies share the region's weight by their village counts.
            share = weights[code] * len(regency_villages) / total
            if regency_code in regencies:
                regencies[regency_code].weight += share
                regencies[regency_code].villages += [
                    (v, v[:8].replace(".", "")) for v in regency_villages]
                continue
            regencies[regency_code] = _Regency(
                code=regency_code, name="", kind="kota" if regency_code[3] in "789" else "kab",
                weight=share, villages=[(v, v[:8].replace(".", "")) for v in regency_villages])
    if not regencies:
        raise ValidationError(gettext("The given regions have no villages."), "regions")
    names = dict(db.session.execute(
        sa.select(Region.code, Region.name).where(Region.code.in_(list(regencies)))).all())
    for regency in regencies.values():
        regency.name = names.get(regency.code, "").removeprefix("Kabupaten ").removeprefix("Kota ")
        regency.villages = sorted(set(regency.villages))
    return sorted(regencies.values(), key=lambda r: r.code)


def _reference_date() -> datetime.date:
    """The open period's first day: 'today' for ages and dates, so reruns in a period agree."""
    period = reference.ensure_open_period()
    return min(period.start_date, datetime.date.today())


def _repair(rows: list[dict], key: str, column, redraw: Callable[[dict], str]) -> None:
    """Redraw values of `key` that repeat inside `rows` or already exist in `column`."""
    kept: set[str] = set()
    pending = rows
    while pending:
        values = [row[key] for row in pending]
        taken = set()
        for chunk in range(0, len(values), 5000):
            taken.update(db.session.scalars(
                sa.select(column).where(column.in_(values[chunk:chunk + 5000]))))
        collided = []
        for row in pending:
            if row[key] in taken or row[key] in kept:
                collided.append(row)
            else:
                kept.add(row[key])
        for row in collided:
            row[key] = redraw(row)
        pending = collided


def _advance_sequences() -> None:
    """PostgreSQL keeps its own counters for serial ids; move them past the ids we assigned."""
    if not is_postgresql():
        return
    for table in _TABLES:
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        ))


def _coordinates(rng, regency_code: str, district: str, kind: str):
    """Near the regency's centre, clustered by district; none outside West Java's table."""
    centre = CENTRES.get(regency_code)
    if centre is None:
        return None, None
    spread = 0.035 if kind == "kota" else 0.16
    district_rng = random.Random(district)  # the same place for a district in every run
    lat = centre[0] + district_rng.uniform(-spread, spread) * 0.8
    lon = centre[1] + district_rng.uniform(-spread, spread)
    jitter = spread / 6
    return (round(lat + rng.uniform(-jitter, jitter), 6),
            round(lon + rng.uniform(-jitter, jitter), 6))


def _pick_alone(rng, age: int) -> MaritalStatus:
    if age < 30:
        return MaritalStatus.SINGLE if rng.random() < 0.6 else MaritalStatus.DIVORCED
    if age < 55:
        return MaritalStatus.DIVORCED if rng.random() < 0.55 else (
            MaritalStatus.WIDOWED if rng.random() < 0.8 else MaritalStatus.SINGLE)
    return MaritalStatus.WIDOWED if rng.random() < 0.85 else MaritalStatus.DIVORCED


_CHILDREN_WEIGHTS = (0.07, 0.17, 0.3, 0.23, 0.12, 0.07, 0.04)
_CHILDREN_CUMULATIVE = list(itertools.accumulate(_CHILDREN_WEIGHTS))


def _children_ages(rng, mother_age: int, most: int = 6) -> list[int]:
    """Ages of a mother's children: first born at 19-28, then every 2-5 years."""
    count = bisect.bisect(_CHILDREN_CUMULATIVE, rng.random() * _CHILDREN_CUMULATIVE[-1])
    ages = []
    mother_at_birth = rng.randint(19, 28)
    for _ in range(min(count, most)):
        age = mother_age - mother_at_birth
        if age < 0 or mother_at_birth > 44:
            break
        ages.append(age)
        mother_at_birth += rng.randint(2, 5)
    return ages


def _schooling(rng, age: int, decile: int):
    if age < 5:
        return SchoolAttendance.NEVER, Education.NONE
    if age < 7:
        return (SchoolAttendance.ATTENDING if rng.random() < 0.5 else SchoolAttendance.NEVER,
                Education.NONE)
    if age <= 12:
        return (SchoolAttendance.ATTENDING if rng.random() < 0.98 else SchoolAttendance.LEFT,
                Education.NONE)
    if age <= 15:
        if rng.random() < 0.92:
            return SchoolAttendance.ATTENDING, Education.PRIMARY
        return SchoolAttendance.LEFT, Education.PRIMARY if rng.random() < 0.8 else Education.NONE
    if age <= 18:
        if rng.random() < 0.7:
            return SchoolAttendance.ATTENDING, Education.JUNIOR
        return SchoolAttendance.LEFT, Education.JUNIOR if rng.random() < 0.6 else Education.PRIMARY
    if age <= 24:
        if rng.random() < 0.08:
            return SchoolAttendance.ATTENDING, Education.SENIOR
        return SchoolAttendance.LEFT, PICK["youth_education"](rng)
    if age < 60:
        education = PICK["adult_education"](rng, decile)
    else:
        education = PICK["elder_education"](rng)
    if education is Education.NONE and rng.random() < 0.6:
        return SchoolAttendance.NEVER, education
    return SchoolAttendance.LEFT, education


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _date_between(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    if first >= last:
        return last
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


_KIP_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _kip_number(rng) -> str:
    return "".join(rng.choice(_KIP_LETTERS) for _ in range(6))


__all__ = [
    "DEFAULT_PASSWORD", "DEFAULT_REGIONS", "DEFAULT_SEED", "DEMO_USERS", "DemoResult",
    "create_demo_users", "demo_password", "existing_marker", "generate",
]
