"""The shapes of the demo register: how households, houses, people and program take-up are
distributed, from the register's national figures (DESIGN §1, ../shared/seed).

Weights are (decile 1, decile 10) and move linearly in between, so the poorest live in the
poorest houses; kota and kabupaten differ where cities and villages do. `PICK[name](rng, decile)`
draws from a table. Data only: nothing here reads the database.
"""

import bisect
import random

from models.enums import (
    BuildingTenure,
    ChronicIllness,
    CookingFuel,
    Disability,
    DrinkingWater,
    Education,
    EmploymentStatus,
    FloorType,
    LandTenure,
    Lighting,
    Occupation,
    RoofType,
    Toilet,
    WallType,
)

# National shares (2019): 28.8 M families in 27 M households; 98.2 M people.
SECOND_FAMILY_SHARE = 28.8 / 27.0 - 1.0
PBI_SHARE_POOREST = 96.8 / 98.2

DECILE_WEIGHTS = (22, 19, 16, 13, 9, 7, 5, 4, 3, 2)

BUILDING_TENURE = {
    "kota": {
        BuildingTenure.OWNED: (55, 75),
        BuildingTenure.RENTED: (28, 20),
        BuildingTenure.RENT_FREE: (14, 4),
        BuildingTenure.OFFICIAL: (0.5, 0.5),
        BuildingTenure.OTHER: (2.5, 0.5),
    },
    "kab": {
        BuildingTenure.OWNED: (82, 90),
        BuildingTenure.RENTED: (4, 6),
        BuildingTenure.RENT_FREE: (12, 3.5),
        BuildingTenure.OFFICIAL: (0.3, 0.3),
        BuildingTenure.OTHER: (1.7, 0.2),
    },
}
LAND_TENURE = {
    LandTenure.OWNED: (62, 88),
    LandTenure.OTHERS: (28, 9),
    LandTenure.STATE: (7, 2),
    LandTenure.OTHER: (3, 1),
}
FLOOR = {
    FloorType.CERAMIC: (28, 70),
    FloorType.CEMENT: (34, 12),
    FloorType.TILE: (9, 10),
    FloorType.EARTH: (12, 0.5),
    FloorType.POOR_WOOD: (7, 1),
    FloorType.BAMBOO: (5, 0.2),
    FloorType.GOOD_WOOD: (2, 2),
    FloorType.PARQUET: (0.5, 2),
    FloorType.MARBLE: (0, 2.3),
    FloorType.OTHER: (2.5, 0),
}
WALL = {
    WallType.MASONRY: (52, 94),
    WallType.PLASTERED_BAMBOO: (9, 2),
    WallType.WOOD: (12, 3),
    WallType.WOVEN_BAMBOO: (20, 0.8),
    WallType.BAMBOO: (4, 0.1),
    WallType.LOGS: (1, 0),
    WallType.OTHER: (2, 0.1),
}
ROOF = {
    RoofType.CLAY_TILE: (52, 55),
    RoofType.ASBESTOS: (20, 12),
    RoofType.ZINC: (12, 3),
    RoofType.METAL_TILE: (7, 18),
    RoofType.CONCRETE: (1, 8),
    RoofType.CERAMIC_TILE: (0.5, 4),
    RoofType.SHINGLE: (2, 0),
    RoofType.BAMBOO: (2, 0),
    RoofType.THATCH: (2.5, 0),
    RoofType.OTHER: (1, 0),
}
WATER = {
    "kota": {
        DrinkingWater.REFILL: (38, 45),
        DrinkingWater.PIPED_METERED: (14, 25),
        DrinkingWater.PIPED_RETAIL: (4, 1),
        DrinkingWater.BOREHOLE: (20, 12),
        DrinkingWater.PROTECTED_WELL: (14, 5),
        DrinkingWater.UNPROTECTED_WELL: (4, 0),
        DrinkingWater.BOTTLED: (2, 12),
        DrinkingWater.PROTECTED_SPRING: (2, 0),
        DrinkingWater.UNPROTECTED_SPRING: (1, 0),
        DrinkingWater.OTHER: (1, 0),
    },
    "kab": {
        DrinkingWater.PROTECTED_WELL: (30, 25),
        DrinkingWater.BOREHOLE: (18, 25),
        DrinkingWater.REFILL: (17, 30),
        DrinkingWater.PROTECTED_SPRING: (11, 5),
        DrinkingWater.UNPROTECTED_WELL: (9, 1),
        DrinkingWater.UNPROTECTED_SPRING: (6, 0.5),
        DrinkingWater.PIPED_METERED: (4, 8),
        DrinkingWater.PIPED_RETAIL: (1, 0.5),
        DrinkingWater.SURFACE: (2, 0),
        DrinkingWater.RAIN: (0.5, 0),
        DrinkingWater.BOTTLED: (0.5, 5),
        DrinkingWater.OTHER: (1, 0),
    },
}
LIGHTING = {
    Lighting.PLN_METERED: (78, 98),
    Lighting.PLN_UNMETERED: (19, 2),
    Lighting.NON_PLN: (1.5, 0),
    Lighting.NONE: (1.5, 0),
}
COOKING = {
    "kota": {
        CookingFuel.LPG_3KG: (94, 80),
        CookingFuel.LPG_LARGE: (0.5, 14),
        CookingFuel.ELECTRICITY: (0.2, 4),
        CookingFuel.KEROSENE: (1.3, 0),
        CookingFuel.FIREWOOD: (1, 0),
        CookingFuel.NONE: (3, 2),
    },
    "kab": {
        CookingFuel.LPG_3KG: (78, 84),
        CookingFuel.LPG_LARGE: (0.3, 10),
        CookingFuel.ELECTRICITY: (0.1, 2),
        CookingFuel.KEROSENE: (1, 0),
        CookingFuel.FIREWOOD: (17, 3),
        CookingFuel.CHARCOAL: (1, 0),
        CookingFuel.BRIQUETTE: (0.3, 0),
        CookingFuel.BIOGAS: (0.3, 0),
        CookingFuel.NONE: (2, 1),
    },
}
TOILET = {
    "kota": {
        Toilet.PRIVATE: (72, 97),
        Toilet.SHARED: (16, 2),
        Toilet.PUBLIC: (10, 1),
        Toilet.NONE: (2, 0),
    },
    "kab": {
        Toilet.PRIVATE: (66, 95),
        Toilet.SHARED: (14, 3),
        Toilet.PUBLIC: (6, 1),
        Toilet.NONE: (14, 1),
    },
}
#: Probability of owning each asset of the verification form, at decile 1 and at decile 10.
ASSETS = {
    "has_gas_cylinder": (0.04, 0.45),
    "has_refrigerator": (0.22, 0.8),
    "has_air_conditioner": (0.004, 0.15),
    "has_water_heater": (0.004, 0.1),
    "has_landline": (0.005, 0.05),
    "has_television": (0.7, 0.95),
    "has_gold": (0.03, 0.3),
    "has_computer": (0.03, 0.35),
    "has_bicycle": (0.15, 0.35),
    "has_motorcycle": (0.42, 0.9),
    "has_car": (0.004, 0.2),
    "has_boat": (0.002, 0.004),
    "has_outboard_motor": (0.001, 0.003),
    "has_motorboat": (0.001, 0.002),
    "has_smartphone": (0.55, 0.95),
    "owns_land": (0.08, 0.35),
    "owns_other_house": (0.01, 0.1),
}
OCCUPATIONS = {
    "kota": {
        Occupation.TRADE: 26,
        Occupation.CONSTRUCTION: 16,
        Occupation.MANUFACTURING: 14,
        Occupation.TRANSPORT: 12,
        Occupation.SERVICES: 12,
        Occupation.FOOD_SERVICE: 10,
        Occupation.FOOD_CROPS: 2,
        Occupation.HORTICULTURE: 1,
        Occupation.LIVESTOCK: 1,
        Occupation.OTHER: 6,
    },
    "kab": {
        Occupation.FOOD_CROPS: 24,
        Occupation.HORTICULTURE: 10,
        Occupation.LIVESTOCK: 4,
        Occupation.PLANTATION: 3,
        Occupation.FISHERY: 2,
        Occupation.FORESTRY: 1,
        Occupation.MINING: 1,
        Occupation.CONSTRUCTION: 14,
        Occupation.TRADE: 16,
        Occupation.MANUFACTURING: 10,
        Occupation.TRANSPORT: 6,
        Occupation.SERVICES: 5,
        Occupation.FOOD_SERVICE: 2,
        Occupation.OTHER: 2,
    },
}
FARM_WORK = {
    Occupation.FOOD_CROPS,
    Occupation.HORTICULTURE,
    Occupation.PLANTATION,
    Occupation.FISHERY,
    Occupation.LIVESTOCK,
    Occupation.FORESTRY,
}
FARM_EMPLOYMENT = {
    EmploymentStatus.SELF_EMPLOYED: 40,
    EmploymentStatus.CASUAL_FARM: 45,
    EmploymentStatus.FAMILY_WORKER: 10,
    EmploymentStatus.EMPLOYER_TEMPORARY: 5,
}
OTHER_EMPLOYMENT = {
    EmploymentStatus.SELF_EMPLOYED: 35,
    EmploymentStatus.CASUAL_OTHER: 30,
    EmploymentStatus.EMPLOYEE: 28,
    EmploymentStatus.FAMILY_WORKER: 4,
    EmploymentStatus.EMPLOYER_TEMPORARY: 2,
    EmploymentStatus.CIVIL_SERVANT: 1,
}
ADULT_EDUCATION = {
    Education.NONE: (6, 2),
    Education.PRIMARY: (42, 18),
    Education.JUNIOR: (22, 20),
    Education.SENIOR: (24, 42),
    Education.DIPLOMA: (2, 6),
    Education.BACHELOR: (4, 11),
    Education.POSTGRADUATE: (0, 1),
}
ELDER_EDUCATION = {
    Education.NONE: 30,
    Education.PRIMARY: 52,
    Education.JUNIOR: 9,
    Education.SENIOR: 7,
    Education.BACHELOR: 2,
}
YOUTH_EDUCATION = {
    Education.SENIOR: 45,
    Education.JUNIOR: 30,
    Education.PRIMARY: 20,
    Education.NONE: 3,
    Education.DIPLOMA: 2,
}
DISABILITIES = {
    Disability.PHYSICAL: 35,
    Disability.VISUAL: 20,
    Disability.HEARING: 15,
    Disability.SPEECH: 5,
    Disability.INTELLECTUAL: 10,
    Disability.PSYCHOSOCIAL: 8,
    Disability.MULTIPLE: 7,
}
ILLNESSES = {
    ChronicIllness.HYPERTENSION: 40,
    ChronicIllness.RHEUMATISM: 15,
    ChronicIllness.DIABETES: 12,
    ChronicIllness.ASTHMA: 8,
    ChronicIllness.HEART: 7,
    ChronicIllness.STROKE: 5,
    ChronicIllness.TUBERCULOSIS: 4,
    ChronicIllness.CANCER: 2,
    ChronicIllness.OTHER: 7,
}

# Program take-up by welfare decile, calibrated so the totals land near the national shares:
# PBI JK ~96.8/98.2 of people in deciles 1-4; PKH ~10/28.8 and BPNT ~15.5/28.8 of families.
PBI_BY_DECILE = (PBI_SHARE_POOREST,) * 4 + (0.75, 0.6, 0.45, 0.3, 0.3, 0.3)
PKH_BY_DECILE = (0.86, 0.72, 0.53, 0.33, 0.13, 0.05, 0.02, 0.0, 0.0, 0.0)
BPNT_BY_DECILE = (0.82, 0.75, 0.62, 0.48, 0.28, 0.14, 0.04, 0.04, 0.04, 0.04)


class Picker:
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
        return {kind: Picker(weights) for kind, weights in table.items()}
    return Picker(table)


PICK = {
    "decile": Picker({d: w for d, w in enumerate(DECILE_WEIGHTS, 1)}),
    "building": _pickers(BUILDING_TENURE),
    "land": _pickers(LAND_TENURE),
    "floor": _pickers(FLOOR),
    "wall": _pickers(WALL),
    "roof": _pickers(ROOF),
    "water": _pickers(WATER),
    "lighting": _pickers(LIGHTING),
    "cooking": _pickers(COOKING),
    "toilet": _pickers(TOILET),
    "occupation": _pickers(OCCUPATIONS),
    "farm_employment": Picker(FARM_EMPLOYMENT),
    "other_employment": Picker(OTHER_EMPLOYMENT),
    "adult_education": Picker(ADULT_EDUCATION),
    "elder_education": Picker(ELDER_EDUCATION),
    "youth_education": Picker(YOUTH_EDUCATION),
    "disability": Picker(DISABILITIES),
    "illness": Picker(ILLNESSES),
}
POOR_FLOORS = {FloorType.EARTH, FloorType.BAMBOO, FloorType.POOR_WOOD}
POOR_WALLS = {WallType.WOVEN_BAMBOO, WallType.BAMBOO, WallType.LOGS}
POOR_ROOFS = {RoofType.THATCH, RoofType.BAMBOO, RoofType.SHINGLE}
