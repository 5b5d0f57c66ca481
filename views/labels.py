"""Column labels of the console, as on the national verification form."""

from flask_babel import lazy_gettext as _l

COMMON = {
    "created_at": _l("Created"),
    "updated_at": _l("Last changed"),
    "status": _l("Status"),
}

HOUSEHOLD = {
    **COMMON,
    "register_id": _l("Register ID"),
    "head": _l("Head of household"),
    "village": _l("Village"),
    "village_code": _l("Village"),
    "address": _l("Address"),
    "rt": _l("RT"),
    "rw": _l("RW"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "building_tenure": _l("Building tenure"),
    "land_tenure": _l("Land tenure"),
    "floor_area_m2": _l("Floor area (m²)"),
    "floor_type": _l("Main floor type"),
    "wall_type": _l("Main wall type"),
    "roof_type": _l("Main roof type"),
    "drinking_water": _l("Drinking water source"),
    "lighting": _l("Lighting source"),
    "cooking_fuel": _l("Cooking fuel"),
    "toilet": _l("Toilet facility"),
    "has_gas_cylinder": _l("Gas cylinder 5.5 kg or more"),
    "has_refrigerator": _l("Refrigerator"),
    "has_air_conditioner": _l("Air conditioner"),
    "has_water_heater": _l("Water heater"),
    "has_landline": _l("Landline telephone"),
    "has_television": _l("Television"),
    "has_gold": _l("Gold/jewellery of 10 grams or more"),
    "has_computer": _l("Computer/laptop"),
    "has_bicycle": _l("Bicycle"),
    "has_motorcycle": _l("Motorcycle"),
    "has_car": _l("Car"),
    "has_boat": _l("Boat"),
    "has_outboard_motor": _l("Outboard motor"),
    "has_motorboat": _l("Motorboat"),
    "has_smartphone": _l("Smartphone"),
    "owns_land": _l("Owns land"),
    "owns_other_house": _l("Owns a house elsewhere"),
    "welfare_decile": _l("Welfare decile"),
    "families": _l("Families"),
    "members": _l("Household members"),
    "memberships": _l("Program memberships"),
    "head_full_name": _l("Full name"),
    "head_nik": _l("NIK"),
    "head_kk_number": _l("KK number"),
    "head_sex": _l("Sex"),
    "head_birth_place": _l("Birth place"),
    "head_birth_date": _l("Birth date"),
}

MEMBER = {
    **COMMON,
    "nik": _l("NIK"),
    "full_name": _l("Full name"),
    "kk_number": _l("KK number"),
    "family": _l("Family (KK)"),
    "household": _l("Household"),
    "relation_to_head": _l("Relationship to head"),
    "sex": _l("Sex"),
    "birth_place": _l("Birth place"),
    "birth_date": _l("Birth date"),
    "marital_status": _l("Marital status"),
    "education": _l("Highest diploma"),
    "school_attendance": _l("School attendance"),
    "occupation": _l("Main occupation"),
    "employment_status": _l("Employment status"),
    "disability": _l("Disability"),
    "chronic_illness": _l("Chronic illness"),
}

FAMILY = {
    **COMMON,
    "kk_number": _l("KK number"),
    "household": _l("Household"),
}

MEMBERSHIP = {
    **COMMON,
    "program": _l("Program"),
    "target": _l("Recipient"),
    "household": _l("Household"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "card_number": _l("Card number"),
}

PROGRAM = {
    "code": _l("Code"),
    "name": _l("Name"),
    "target_level": _l("Target level"),
    "description": _l("Description"),
    "eligibility": _l("Eligibility rule"),
    "rule": _l("Who is eligible"),
}

PERIOD = {
    **COMMON,
    "code": _l("Period"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "closed_at": _l("Closed at"),
}
