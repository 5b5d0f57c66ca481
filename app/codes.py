"""The grammars of the register's codes, written once, and the arithmetic of region codes.

Region codes (Kemendagri): `PP`, `PP.KK`, `PP.KK.CC`, `PP.KK.CC.DDDD` — province, regency or city,
district, village; a code's prefixes are the regions it lies in. Period codes are `YYYY-MM`.
Register IDs are 14 digits, the first four the regency's. Only ASCII digits: `\\d` and
str.isdigit also take "١٢" and "²³"."""

import re

#: A region of any level.
REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")
#: A village (desa/kelurahan), the level households live at.
VILLAGE_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")
#: An updating period: a year and a month 01–12.
PERIOD_CODE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
#: A household's public register ID.
REGISTER_ID = re.compile(r"[0-9]{14}")
#: Length of a region code by level (1 province … 4 village; 0 the nation).
CODE_LENGTH = {0: 0, 1: 2, 2: 5, 3: 8, 4: 13}
VILLAGE_LEVEL = 4


def level_of(code: str) -> int:
    """0 for the nation (""), 1 for a province "32", 2 for "32.73" …"""
    return 0 if not code else code.count(".") + 1


def sub_level(code: str) -> int:
    """The level a region is broken down into: provinces nationally, then regencies, districts,
    villages; a village stays at village level."""
    return min(level_of(code) + 1, VILLAGE_LEVEL)


def ancestor(code: str, level: int) -> str:
    """The region at `level` that `code` lies in: ancestor("32.73.01.1001", 2) == "32.73"."""
    return (code or "")[: CODE_LENGTH[level]]


def regency_of(code: str) -> str:
    """ "32.73.01.1001" → "32.73"."""
    return ancestor(code, 2)


def digits(code: str) -> str:
    """A region code without its dots, as NIKs, KK and register IDs carry it: "32.73" → "3273"."""
    return (code or "").replace(".", "")
