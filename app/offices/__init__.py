"""The offices that issue certificates: each regency/city's social affairs office (Dinas
Sosial), its letterhead (kop surat), the official who signs its letters and its agenda book.

What it owns, by module:
- letterheads: `Letterhead` (kop lines, address, place of the date line, signatory) and
  `letterhead_for(region_code)` — the configured Office of the region's regency/city or, when
  none is configured, a government letterhead derived from the region ("PEMERINTAH KOTA
  BANDUNG" / "DINAS SOSIAL", place "Bandung", signatory left blank to be filled by hand);
  `ministry_letterhead()`, the ministry unit that issues the minutes of a period close;
- numbers: the civil servant number (check_nip, format_nip), the agenda number pattern
  (check_agenda_pattern, agenda_number) and `next_agenda_number`, the next entry of a regency's
  agenda book for a year (an `AgendaBook` hands out several in one transaction);
- records: `check_office(values, office_id)`, the rules of an office record (one per
  regency/city, a valid NIP and agenda number pattern), raising InvalidRecord by field;
- demo: `seed_demo_offices(session)`, offices for the demo's regencies.

It imports the models, the shared leaves (app.errors, app.extensions) and app.register (its
Problems/InvalidRecord); never a door."""

from app.offices.letterheads import Letterhead, letterhead_for, ministry_letterhead, regency_of
from app.offices.numbers import (
    AgendaBook,
    agenda_number,
    check_agenda_pattern,
    check_nip,
    format_nip,
    next_agenda_number,
)
from app.offices.records import check_office

__all__ = [
    "AgendaBook",
    "Letterhead",
    "agenda_number",
    "check_agenda_pattern",
    "check_nip",
    "check_office",
    "format_nip",
    "letterhead_for",
    "ministry_letterhead",
    "next_agenda_number",
    "regency_of",
]
