"""Valid register data for tests, created through the domain service."""
import datetime
import itertools

from models.enums import Relationship, Sex

_serial = itertools.count(1)


def nik_for(village_code: str, birth_date: datetime.date, sex: Sex) -> str:
    day = birth_date.day + (40 if sex == Sex.FEMALE else 0)
    district = village_code.replace(".", "")[:6]
    return f"{district}{day:02d}{birth_date:%m%y}{next(_serial) % 9999 + 1:04d}"


def kk_for(village_code: str) -> str:
    district = village_code.replace(".", "")[:6]
    return f"{district}150120{next(_serial) % 9999 + 1:04d}"


def member_data(village_code, relation=Relationship.HEAD, sex=Sex.MALE,
                birth_date=datetime.date(1980, 5, 17), name="Budi Santoso", kk=None):
    return {
        "nik": nik_for(village_code, birth_date, sex),
        "full_name": name,
        "kk_number": kk or kk_for(village_code),
        "relation_to_head": relation,
        "sex": sex,
        "birth_date": birth_date,
        "birth_place": "Bandung",
    }


def build_household(village_code, members=None, welfare_decile=2, address="Jl. Merdeka 1"):
    from app.register.households import create_household

    if members is None:
        head = member_data(village_code)
        spouse = member_data(village_code, Relationship.SPOUSE, Sex.FEMALE,
                             datetime.date(1983, 2, 3), "Siti Aminah", kk=head["kk_number"])
        members = [head, spouse]
    household, _warnings = create_household(
        {"village_code": village_code, "address": address, "welfare_decile": welfare_decile},
        members,
    )
    return household
