"""A demo household's house: tenure, floor, walls, roof, water, light, fuel, toilet and the
assets of the verification form, by welfare decile and by kota or kabupaten."""

import random

from app.demo.distributions import ASSETS, PICK
from models.enums import BuildingTenure, CookingFuel, LandTenure


def fill_housing(rng: random.Random, row: dict, kind: str, decile: int, persons: int) -> None:
    """Set the house's columns of the household `row`."""
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
