"""Blocking keys: members that share one are compared, members that share none never are, so a
scan compares a few pairs per person instead of every pair (n² would be 10¹⁵ nationally).

The keys are what real duplicates share:
- `nik_ab`, `nik_bc`, `nik_ac`: the NIK with one of its three parts left out (region digits 1–6,
  birth date 7–12, serial 13–16). One mistyped digit or two swapped within a part change one
  part only, so a NIK one typo away always shares one of the three keys;
- `born`: the district and the birth date (a second NIK, a name written another way);
- `sound`: the district, the name's sound key (app.duplicates.names) and the birth year (a
  mistyped birth date, a married name with the same given name).

Kept in duplicate_key with the member's village, so a scan of one region refreshes only its
own members' keys and still meets a twin registered elsewhere.
"""

from __future__ import annotations

import datetime

from app import codes
from app.duplicates import names

KINDS = ("nik_ab", "nik_bc", "nik_ac", "born", "sound")


def keys_of(
    nik: str, full_name: str, birth_date: datetime.date | None, village_code: str
) -> list[tuple[str, str]]:
    """(kind, key) of one member."""
    district = codes.ancestor(village_code, 3)
    found = [("nik_ab", nik[:12]), ("nik_bc", nik[6:]), ("nik_ac", nik[:6] + nik[12:])]
    if birth_date is not None:
        found.append(("born", f"{district}|{birth_date.isoformat()}"))
        sound = names.sound_key(full_name)
        if sound:
            found.append(("sound", f"{district}|{sound}|{birth_date.year}"))
    return found
