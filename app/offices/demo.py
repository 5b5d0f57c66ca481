"""Offices for the demo's regencies (Kota Bandung, Kabupaten Bogor); the demo calls
`seed_demo_offices`. The signatories are invented people with well-formed NIPs."""

import sqlalchemy as sa

from models.offices import DEFAULT_AGENDA_PATTERN, Office

DEMO_OFFICES = (
    {
        "region_code": "32.73",
        "name": "Dinas Sosial Kota Bandung",
        "government_line": "PEMERINTAH KOTA BANDUNG",
        "agency_line": "DINAS SOSIAL",
        "address": "Jl. Sindangsirna No. 40, Bandung 40153",
        "place": "Bandung",
        "signatory_name": "Drs. Asep Kurniawan, M.Si.",
        "signatory_title": "Kepala Dinas Sosial Kota Bandung",
        "signatory_rank": "Pembina Utama Muda (IV/c)",
        "signatory_nip": "197005121995031002",
        "agenda_pattern": DEFAULT_AGENDA_PATTERN,
    },
    {
        "region_code": "32.01",
        "name": "Dinas Sosial Kabupaten Bogor",
        "government_line": "PEMERINTAH KABUPATEN BOGOR",
        "agency_line": "DINAS SOSIAL",
        "address": "Jl. Bersih, Kompleks Perkantoran Pemerintah Kabupaten Bogor, Cibinong 16914",
        "place": "Cibinong",
        "signatory_name": "Hj. Rina Marlina, S.Sos., M.Si.",
        "signatory_title": "Kepala Dinas Sosial Kabupaten Bogor",
        "signatory_rank": "Pembina Tingkat I (IV/b)",
        "signatory_nip": "197608232002122003",
        "agenda_pattern": "400.9/{seq}/Dinsos/{month}/{year}",
    },
)


def seed_demo_offices(session) -> int:
    """Add the demo offices not there yet (a second run adds nothing); the caller commits.
    Returns how many were added."""
    existing = set(session.scalars(sa.select(Office.region_code)))
    added = [Office(**values) for values in DEMO_OFFICES if values["region_code"] not in existing]
    session.add_all(added)
    return len(added)
