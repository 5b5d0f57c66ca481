"""The whole-app door walk (DESIGN §4, §8): every URL rule the app registers — not only those
with a record id — is requested by every demo role, and by a visitor who never signed in,
against households planted in Jakarta, Kota Bandung and Kabupaten Bogor whose register IDs, KK
numbers, NIKs, names, addresses and card numbers are marker strings. For each answer:

- it is never a server error (5xx);
- it carries no marker of a household outside the role's region, wherever it hides (HTML, JSON,
  CSV, the text of a PDF, the cells of an XLSX), unless the request itself carried that value;
- where the role sees NIKs and KK numbers masked (app.security.privacy), it carries no full NIK, KK
  number or birth date of any household, its own region's included;
- a read that carries a foreign value (a NIK, a KK number, a register ID … of another region,
  in a filter, a `?q=` or a path) answers exactly as the same read with a value that exists
  nowhere: no door is an oracle of what lies outside the scope;
- no request changes the register, the jobs, the certificates or the schedule of another region.

Lists and exports are walked with every search filter and order column they offer, the API with
`?q=` filters, orders and columns and `_info` with its related-field pages. A route added later
is walked without anyone editing this file; an argument the walk cannot fill fails it.

One module, not split: the walk, the values it fills in and the rules it checks each answer
against are one specification; split, a new route could be walked by one half and checked by
none."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import subprocess
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, USERS, bearer, csrf_token, signed_in
from tests.fixtures.factories import kk_for, nik_for

ANONYMOUS = "(anonymous)"
NATIONAL = {"admin", "pusdatin", "pengawas"}
MASKED = {"prov.jabar", "interkoneksi"}
#: Routes the walk does not request: static files, and signing out (it would end the walk's
#: own session; sign-out itself is tested in test_login_security).
SKIPPED_ENDPOINTS = {"static", "appbuilder.static", "AuthDBView.logout"}
#: Values of the same shape as the markers that exist nowhere in the register.
ABSENT = {
    "nik": "3171015507990999",
    "kk_number": "3171011501200999",
    "register_id": "31719999999999",
    "name": "Tiadaorang",
    "household": "999999",
    "card": "KARTU-TIADA-0000",
}


@dataclass
class Planted:
    """One household with marker values, and the ids of its rows."""

    region: str
    village: str
    token: str  # in every name and the address: "markerjkt"
    register_id: str = ""
    niks: list = field(default_factory=list)
    kks: list = field(default_factory=list)
    birth_dates: list = field(default_factory=list)
    card: str = ""
    ids: dict = field(default_factory=dict)  # model name -> [ids]

    def markers(self) -> list[str]:
        return [self.token, self.register_id, *self.niks, *self.kks, self.card]

    def identity_markers(self) -> list[str]:
        """What a masked role may not see even inside its region."""
        from babel.dates import format_date

        dates = []
        for born in self.birth_dates:
            dates += [
                born.isoformat(),
                born.strftime("%d-%m-%Y"),
                born.strftime("%d/%m/%Y"),
                *(format_date(born, style, locale="id") for style in ("long", "medium")),
            ]
        return [*self.niks, *self.kks, *dates]


def _jakarta_village(app) -> str:
    from app.extensions import db
    from models import Region

    with app.app_context():
        return db.session.scalar(
            sa.select(Region.code)
            .where(Region.level == 4, Region.code.startswith("31.71."))
            .order_by(Region.code)
            .limit(1)
        )


def _plant(app, region: str, village: str, token: str, birth_year: int) -> Planted:
    from flask import current_app

    from app.extensions import db
    from app.register.households import create_household
    from app.register.reference import open_period
    from app.register.verification import new_code
    from models import (
        AuditEntry,
        DuplicateCandidate,
        JobRun,
        Member,
        Program,
        ProgramMembership,
        Proposal,
    )
    from models.certificates import Certificate
    from models.complaints import Complaint, ComplaintPhoto
    from models.enums import (
        ComplaintKind,
        ComplaintReason,
        DeactivationReason,
        DuplicateLevel,
        JobStatus,
        ProposalKind,
        ProposalStatus,
        Relationship,
        Sex,
    )

    planted = Planted(region, village, token)
    head_born, spouse_born = datetime.date(birth_year, 3, 14), datetime.date(birth_year + 2, 9, 27)
    kk = kk_for(village)
    people = [
        {
            "nik": nik_for(village, head_born, Sex.MALE),
            "full_name": f"{token.title()} Ayah",
            "kk_number": kk,
            "relation_to_head": Relationship.HEAD,
            "sex": Sex.MALE,
            "birth_date": head_born,
            "birth_place": "Kota",
        },
        {
            "nik": nik_for(village, spouse_born, Sex.FEMALE),
            "full_name": f"{token.title()} Ibu",
            "kk_number": kk,
            "relation_to_head": Relationship.SPOUSE,
            "sex": Sex.FEMALE,
            "birth_date": spouse_born,
            "birth_place": "Kota",
        },
    ]
    with app.app_context():
        household, _warnings = create_household(
            {"village_code": village, "address": f"Jalan {token.title()} 7", "welfare_decile": 3},
            people,
        )
        planted.register_id = household.register_id
        planted.niks = [person["nik"] for person in people]
        planted.kks = [kk]
        planted.birth_dates = [head_born, spouse_born]
        planted.card = f"KARTU-{token.upper()}-0001"
        head = db.session.scalar(
            sa.select(Member).where(
                Member.household_id == household.id, Member.relation_to_head == Relationship.HEAD
            )
        )
        program = db.session.scalar(sa.select(Program).where(Program.code == "PBI-JK"))
        membership = ProgramMembership(
            program=program, household_id=household.id, member_id=head.id, card_number=planted.card
        )
        operator = current_app.appbuilder.sm.find_user(
            username={"bogor": "operator.bogor", "bandung": "operator.bandung"}.get(region, "admin")
        )
        proposal = Proposal(
            kind=ProposalKind.DEACTIVATE_MEMBER,
            status=ProposalStatus.SUBMITTED,
            period_id=open_period().id,
            regency_code=village[:5],
            household_id=household.id,
            member_id=head.id,
            reason=DeactivationReason.MOVED,
            note=f"Catatan {token}",
            proposed_by_id=operator.id,
        )
        # An import by this region's operator whose error report quotes the household.
        job = JobRun(
            kind="import_households",
            status=JobStatus.SUCCEEDED,
            requested_by_id=operator.id,
            params={"filename": f"{token}.csv", "scope": village[:5]},
            result={
                "rows": 2,
                "error_count": 1,
                "errors": [[2, "nik", f"NIK {planted.niks[0]} {token}"]],
            },
        )
        certificate = Certificate(
            code=f"{token.upper()[:13]:0<13}ZZ",
            household_id=household.id,
            register_id=household.register_id,
            period_id=open_period().id,
            village_code=village,
            head_initials="M. A.",
            content_hash="0" * 64,
            issued_by_id=operator.id,
        )
        spouse = next(m for m in household.members if m.id != head.id)
        # A duplicate candidate of the region, as a scan would leave it: the queue shows the
        # two records (their names, NIKs, address) to whoever sees the region.
        candidate = DuplicateCandidate(
            first_id=min(head.id, spouse.id),
            second_id=max(head.id, spouse.id),
            first_version=1,
            second_version=1,
            regency_code=village[:5],
            other_regency_code=village[:5],
            score=8,
            level=DuplicateLevel.LIKELY,
            reasons=["name_similar", "same_kk", "same_address"],
        )
        # A resident's sanggah about the household, sent by its spouse: the queue shows the
        # sender's name and NIK, the photos go to the regency's officers only.
        now = datetime.datetime.now()
        complaint = Complaint(
            code=new_code("complaint"),
            kind=ComplaintKind.OBJECTION,
            village_code=village,
            regency_code=village[:5],
            household_id=household.id,
            submitter_nik=planted.niks[1],
            submitter_name=f"{token.title()} Ibu",
            reason=ComplaintReason.CAPABLE,
            text=f"Sanggahan {token}",
            latitude=-6.9,
            longitude=107.6,
            received_at=now,
            due_at=now + datetime.timedelta(days=14),
            photos=[
                ComplaintPhoto(
                    media_type="image/png",
                    width=1,
                    height=1,
                    size=4,
                    sha256="0" * 64,
                    content=token.encode(),
                )
            ],
        )
        db.session.add_all([membership, proposal, job, certificate, candidate, complaint])
        db.session.commit()
        planted.ids = {
            "Household": [household.id],
            "Family": sorted({member.family_id for member in household.members}),
            "Member": [member.id for member in household.members],
            "ProgramMembership": [membership.id],
            "Proposal": [proposal.id],
            "JobRun": [job.id],
            "Certificate": [certificate.code],
            "DuplicateCandidate": [candidate.id],
            "Complaint": [complaint.id],
            "ComplaintCode": [complaint.code],
            "AuditEntry": db.session.scalars(
                sa.select(AuditEntry.id)
                .where(AuditEntry.region_code == village)
                .order_by(AuditEntry.id)
            ).all()[:4],
        }
    return planted


@pytest.fixture()
def planted(app):
    rows = {
        "jakarta": _plant(app, "jakarta", _jakarta_village(app), "markerjkt", 1971),
        "bandung": _plant(app, "bandung", BANDUNG_VILLAGE, "markerbdg", 1975),
        "bogor": _plant(app, "bogor", BOGOR_VILLAGE, "markerbgr", 1979),
    }
    yield rows
    from app.extensions import db

    with app.app_context():
        db.session.rollback()
        for table in ("complaint_photo", "complaint", "certificate", "job_run"):
            db.session.execute(sa.text(f"DELETE FROM {table}"))
        db.session.commit()


def _scope(username: str) -> str | None:
    """None: sees nothing; "": the whole country."""
    if username == ANONYMOUS:
        return None
    return USERS[username][1]


def _foreign(username: str, planted: dict) -> list[Planted]:
    """The planted households outside the role's region, the nearest first (another regency
    of the same province before another province): the first is the one the walk asks for."""
    scope = _scope(username)
    if scope == "":
        return []
    outside = [
        house
        for house in planted.values()
        if scope is None or not house.village.startswith(scope + ".")
    ]
    return sorted(outside, key=lambda house: house.region == "jakarta")


def _own(username: str, planted: dict) -> list[Planted]:
    foreign = _foreign(username, planted)
    return [house for house in planted.values() if house not in foreign]


# -- reading an answer as a user would: text of HTML, JSON, CSV, PDF and XLSX ------------------
def _text(response) -> str:
    data = response.get_data()
    if data.startswith(b"%PDF"):
        return (
            subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
            .stdout.decode("utf-8", "replace")
            .lower()
        )
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            ).lower()
    return data.decode("utf-8", "replace").lower()


_VOLATILE = re.compile(
    r'nonce="[^"]*"|name="csrf_token"[^>]*>|value="[^"]*"[^>]*name="csrf_token"'
    r'|"csrf_token": ?"[^"]*"|\b\d{2}:\d{2}(:\d{2})?\b'
)


def _normalised(text: str, values: list[str]) -> str:
    for value in values:
        text = text.replace(value.lower(), "«value»").replace(quote(value).lower(), "«value»")
    return _VOLATILE.sub("", text)


# -- filling a rule's arguments -------------------------------------------------------------------
def _view_of(app, endpoint: str):
    views = {type(view).__name__: view for view in app.appbuilder.baseviews}
    return views.get(endpoint.split(".")[0])


def _model_name(view) -> str | None:
    model = getattr(getattr(view, "datamodel", None), "obj", None)
    return model.__name__ if model is not None else None


def _fillers(view, houses: list[Planted], open_code: str) -> dict[str, list[str]]:
    """Candidate values for each argument name a rule may have; the planted rows first."""
    model = _model_name(view)
    pks = [str(pk) for house in houses for pk in house.ids.get(model or "", [])]
    if model == "Region":
        pks = [house.village for house in houses]
    return {
        "pk": pks or ["1"],
        "name": sorted(getattr(view, "actions", {}) or {}) or ["x"],
        "filename": ["x"],
        "fmt": ["csv", "xlsx"],
        "job_id": [str(pk) for house in houses for pk in house.ids["JobRun"]] or ["1"],
        "household_id": [str(pk) for house in houses for pk in house.ids["Household"]] or ["1"],
        "code": [
            *[house.village for house in houses],
            *[house.village[:5] for house in houses],
            *[code for house in houses for code in house.ids["Certificate"]],
            *[code for house in houses for code in house.ids["ComplaintCode"]],
            open_code,
        ],
        "version": ["v1"],
        "locale": ["id"],
    }


def _urls(rule, view, houses, open_code) -> list[str]:
    fillers = _fillers(view, houses, open_code)
    unknown = set(rule.arguments) - set(fillers)
    assert not unknown, (
        f"the door walk cannot fill {sorted(unknown)} of {rule.rule}: "
        "add a filler to tests/test_doors.py"
    )
    combinations = [{}]
    for argument in sorted(rule.arguments):
        values = fillers[argument]
        if type(rule._converters[argument]).__name__ == "IntegerConverter":
            values = [value for value in values if value.isdigit()] or ["1"]
        combinations = [{**done, argument: value} for done in combinations for value in values]
    return [rule.build(values, append_unknown=False)[1] for values in combinations]


def _value_for(key: str, house: Planted) -> str | None:
    """The planted value a search of column `key` is asked with."""
    key = key.lower()
    if "nik" in key:
        return house.niks[0]
    if "kk" in key:
        return house.kks[0]
    if "register" in key:
        return house.register_id
    if "name" in key:
        return house.token
    if "card" in key:
        return house.card
    if key in ("household", "household_id"):
        return str(house.ids["Household"][0])
    if key in ("region", "village", "village_code", "region_code"):
        return house.village
    if key in ("address", "note"):
        return house.token
    return None


def _absent_for(value: str, house: Planted) -> str:
    if value in house.niks:
        return ABSENT["nik"]
    if value in house.kks:
        return ABSENT["kk_number"]
    if value == house.register_id:
        return ABSENT["register_id"]
    if value == house.card:
        return ABSENT["card"]
    if value == str(house.ids["Household"][0]):
        return ABSENT["household"]
    if value == house.village:
        return "31.01.01.2001"  # a village of Kepulauan Seribu where nothing is planted
    return ABSENT["name"]


def _operators(instances: list) -> list[int]:
    """The first and the last operator of a column's filters: every operator of a column goes
    through the same query and scope, but a filter of our own (one operator) is never skipped."""
    return sorted({0, len(instances) - 1})


def _console_searches(view, url: str, house: Planted):
    """(url, foreign value, absent url) for every search filter and order of a list/export."""
    name = type(view).__name__
    for column in getattr(view, "order_columns", None) or []:
        yield f"{url}?_oc_{name}={column}&_od_{name}=asc", None, None
    filters = getattr(getattr(view, "_filters", None), "_all_filters", {}) or {}
    for key, instances in filters.items():
        value = _value_for(key, house)
        if value is None:
            continue
        absent = _absent_for(value, house)
        for index in _operators(instances):
            yield (
                f"{url}?{urlencode({f'_flt_{index}_{key}': value})}",
                value,
                f"{url}?{urlencode({f'_flt_{index}_{key}': absent})}",
            )


def _api_searches(view, url: str, house: Planted):
    """(url, foreign value, absent url) for `?q=` filters, orders and columns of an API list."""
    for column in getattr(view, "order_columns", None) or []:
        yield f"{url}?q=(order_column:{column},order_direction:asc)", None, None
    for column in ("household", "members"):
        yield f"{url}?q=(columns:!({column}))", None, None
    filters = view._filters.get_search_filters() if hasattr(view, "_filters") else {}
    for column, instances in {**filters, "household": [None]}.items():
        operators = [flt.arg_name for flt in instances if flt is not None] or ["rel_o_m", "eq"]
        value = _value_for(column, house)
        if value is None:
            continue
        absent = _absent_for(value, house)
        chosen = {operators[index] for index in _operators(operators)}
        chosen |= {"in", "eq"} & set(operators)
        for operator in sorted(chosen):

            def q(v, operator=operator, column=column):
                shown = f"!('{v}')" if operator == "in" else f"'{v}'"
                return f"{url}?q=(filters:!((col:{column},opr:{operator},value:{shown})))"

            yield q(value), value, q(absent)


def _info_pages(url: str):
    yield f"{url}?q=(keys:!(add_columns,edit_columns,filters,permissions))", None, None
    related = ",".join(
        f"{column}:(page:0,page_size:100)"
        for column in ("household", "member", "members", "family", "program")
    )
    for key in ("add_columns", "edit_columns"):
        yield f"{url}?q=({key}:({related}))", None, None


def _reads(rule, view, houses, open_code, searched: bool):
    """Every GET the walk makes of one rule: (url, foreign value or None, absent url)."""
    for url in _urls(rule, view, houses, open_code):
        yield url, None, None
        if not searched:
            continue
        if rule.rule.startswith("/api/"):
            if rule.endpoint.endswith(".get_list"):
                yield from _api_searches(view, url, houses[0])
            elif rule.endpoint.endswith(".info"):
                yield from _info_pages(url)
        elif rule.endpoint.endswith(".list") or url.endswith("/export/csv"):
            yield from _console_searches(view, url, houses[0])


def _write_body(houses: list[Planted]) -> dict:
    house = houses[0]
    return {
        "village_code": house.village,
        "register_id": house.register_id,
        "nik": house.niks[0],
        "kk_number": house.kks[0],
        "household_id": house.ids["Household"][0],
        "full_name": house.token,
        "address": house.token,
        "rowid": house.ids["Household"][0],
        "action": "x",
        "reason": "MOVED",
        "niks": house.niks,
        "version": 1,
        "relation_to_head": "HEAD",
        "status": "DECEASED",
    }


# -- the database: nothing of another region changes ----------------------------------------------
FINGERPRINTED = (
    "household",
    "family",
    "member",
    "program_membership",
    "proposal",
    "certificate",
    "job_run",
    "report_file",
    "close_schedule",
    "period",
    "program",
    "ab_api_key",
    "complaint",
    "complaint_photo",
    "ab_role",
    "ab_permission_view_role",
)


def _fingerprint(app) -> str:
    from app.extensions import db

    digest = hashlib.sha256()
    with app.app_context():
        for table in FINGERPRINTED:
            rows = db.session.execute(sa.text(f"SELECT * FROM {table}")).all()
            # PostgreSQL hands bytea back as a memoryview, whose repr is its address.
            values = (
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows
            )
            for row in sorted(repr(value) for value in values):
                digest.update(row.encode())
        digest.update(
            repr(
                db.session.execute(
                    sa.text("SELECT count(*), max(name), min(name) FROM region")
                ).one()
            ).encode()
        )
    return digest.hexdigest()


# -- the walk -------------------------------------------------------------------------------------
@dataclass
class Findings:
    problems: list = field(default_factory=list)
    requests: int = 0

    def add(self, problem: str) -> None:
        if len(self.problems) < 60:
            self.problems.append(problem)


def _clients(app, username):
    """(console client, API headers) of the role; the visitor has neither a session nor a token."""
    if username == ANONYMOUS:
        return app.test_client(), {}
    return signed_in(app, username), bearer(app.test_client(), username)


def _forbidden(username, planted) -> list[str]:
    markers = [marker for house in _foreign(username, planted) for marker in house.markers()]
    if username in MASKED:
        markers += [
            marker for house in _own(username, planted) for marker in house.identity_markers()
        ]
    return [marker.lower() for marker in markers]


def _check(findings: Findings, door: str, response, forbidden: list[str], sent: str) -> str:
    findings.requests += 1
    if response.status_code >= 500:
        findings.add(f"{door} -> {response.status_code}")
        return ""
    text = _text(response)
    # A redirect names where the user is sent (the page they came from, kept in their own
    # session's history): what they asked for earlier, not what the door shows.
    sent = (sent + response.headers.get("Location", "")).lower()
    leaked = [marker for marker in forbidden if marker in text and marker not in sent]
    if leaked:
        findings.add(f"{door} -> {response.status_code} shows {leaked[:3]}")
    return text


def _oracle_checked(value: str | None) -> bool:
    """Long values (NIK, KK, register ID, village, name) can be told apart from the rest of a
    page; a record id ("3") cannot, and is covered by the markers its rows would show."""
    return value is not None and len(value) >= 8


def _absent_of(value: str, planted: dict) -> str:
    for house in planted.values():
        if value in house.markers() or value == house.village:
            return _absent_for(value, house)
    raise AssertionError(value)


def _walk(app, username: str, planted: dict) -> Findings:
    from app.extensions import db
    from app.register.reference import open_period

    with app.app_context():
        open_code = open_period().code
        app.appbuilder.sm.limiter.reset()
    web, headers = _clients(app, username)
    # The nearest household outside the region fills the paths and searches; national roles,
    # who may see and change everything, are walked for server errors with their plain reads.
    national = username in NATIONAL
    houses = (_foreign(username, planted) or list(planted.values()))[:1]
    forbidden = _forbidden(username, planted)
    findings = Findings()
    before = _fingerprint(app)
    csrf = csrf_token(web, "/login/" if username == ANONYMOUS else "/resetmypassword/form")
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        view = _view_of(app, rule.endpoint)
        api = rule.rule.startswith("/api/")
        client_headers = headers if api else {}
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        if "GET" in methods:
            for url, value, absent_url in _reads(rule, view, houses, open_code, not national):
                response = web.get(url, headers=client_headers)
                text = _check(findings, f"{username} GET {url}", response, forbidden, url)
                if not _oracle_checked(value) or response.status_code >= 500:
                    continue
                other = web.get(absent_url, headers=client_headers)
                findings.requests += 1
                absent = _absent_of(value, planted)
                if other.status_code != response.status_code or _normalised(
                    _text(other), [absent]
                ) != _normalised(text, [value]):
                    findings.add(
                        f"{username} GET {url} answers otherwise than for a value "
                        f"that exists nowhere ({response.status_code} vs "
                        f"{other.status_code}): an oracle"
                    )
        if national:
            continue
        for method in [method for method in methods if method != "GET"]:
            body = _write_body(houses)
            for url in _urls(rule, view, houses, open_code):
                if api:
                    response = web.open(url, method=method, headers=client_headers, json=body)
                else:
                    form = {key: str(value) for key, value in body.items() if key != "niks"}
                    response = web.open(url, method=method, data={**form, "csrf_token": csrf})
                _check(
                    findings, f"{username} {method} {url}", response, forbidden, url + repr(body)
                )
    with app.app_context():
        db.session.remove()
    if _fingerprint(app) != before:
        findings.add(f"{username}'s requests changed the register, jobs or settings")
    return findings


@pytest.fixture()
def small_exports(app):
    """An export of the whole region table (91,000 rows) is refused as too large, as a real
    one of the whole register would be, instead of being written out at every step."""
    exports = app.config["EXPORT_MAX_ROWS"]
    app.config["EXPORT_MAX_ROWS"] = 5000
    yield
    app.config["EXPORT_MAX_ROWS"] = exports


@pytest.mark.parametrize("username", [ANONYMOUS, *sorted(USERS)])
def test_no_door_shows_or_changes_what_the_role_may_not_see(
    app, planted, username, server_errors_answered, small_exports
):
    findings = _walk(app, username, planted)
    assert findings.requests > 150
    assert not findings.problems, (
        f"{len(findings.problems)} problem(s) in {findings.requests} requests as {username}:\n"
        + "\n".join(findings.problems)
    )


def test_the_walk_covers_every_route_of_the_app(app, planted):
    """Every rule but the skipped ones is requested: a new route joins the walk by itself."""
    from app.register.reference import open_period

    with app.app_context():
        open_code = open_period().code
    walked = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        view = _view_of(app, rule.endpoint)
        assert _urls(rule, view, list(planted.values()), open_code), rule.rule
        walked.add(rule.endpoint)
    assert len(walked) >= 150
    assert {
        "FamilyApi.info",
        "MembershipApi.info",
        "MemberView.export",
        "ImportView.errors",
        "VerifyView.verify",
        "SanggahView.track",
        "ComplaintView.photo",
    } <= walked
