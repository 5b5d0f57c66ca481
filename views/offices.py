"""The issuing offices (Dinas Sosial of each regency/city): letterhead, signatory and agenda
number pattern of the certificates (app.offices). Written by the Admin only; the rules of a
record are app.offices.check_office, applied inside form validation so a refused form keeps
what was typed."""

from flask import request
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Optional

from app import offices
from app.security.scope import region_filter
from models.offices import DEFAULT_AGENDA_PATTERN, Office
from views.base import RegisterModelView
from views.widgets import RegionSearchField

LETTERHEAD = ["region_code", "name", "government_line", "agency_line", "address", "phone"]
LETTERHEAD += ["email", "place"]
SIGNATORY = ["signatory_name", "signatory_title", "signatory_rank", "signatory_nip"]
FIELDSETS = [
    (_l("Letterhead"), {"fields": LETTERHEAD}),
    (_l("Signatory"), {"fields": SIGNATORY}),
    (_l("Agenda book"), {"fields": ["agenda_pattern"]}),
]


class OfficeView(RegisterModelView):
    route_base = "/offices"
    datamodel = SQLAInterface(Office)
    list_title = _l("Issuing offices")
    show_title = _l("Issuing office")
    add_title = _l("Add issuing office")
    edit_title = _l("Edit issuing office")
    list_columns = ["region", "name", "signatory_name", "agenda_pattern"]
    order_columns = ["name"]
    search_columns = ["name", "signatory_name"]
    base_order = ("region_code", "asc")
    # Admin only today, national; the scope still holds should a regional role be granted it.
    base_filters = region_filter("region_code")
    add_fieldsets = FIELDSETS
    edit_fieldsets = FIELDSETS
    show_fieldsets = [
        (_l("Letterhead"), {"fields": ["region", *LETTERHEAD[1:]]}),
        *FIELDSETS[1:],
    ]
    label_columns = {
        "region": _l("Regency/city"),
        "region_code": _l("Regency/city"),
        "name": _l("Office name"),
        "government_line": _l("Government line of the letterhead"),
        "agency_line": _l("Agency line of the letterhead"),
        "address": _l("Address"),
        "phone": _l("Phone"),
        "email": _l("Email"),
        "place": _l("Place of the date line"),
        "signatory_name": _l("Signatory's name"),
        "signatory_title": _l("Signatory's title"),
        "signatory_rank": _l("Rank and grade"),
        "signatory_nip": _l("Signatory's NIP"),
        "agenda_pattern": _l("Agenda number pattern"),
    }
    description_columns = {
        "name": _l("As running text names it, e.g. Dinas Sosial Kota Bandung."),
        "government_line": _l("E.g. PEMERINTAH KOTA BANDUNG."),
        "agency_line": _l("E.g. DINAS SOSIAL."),
        "place": _l("E.g. Bandung, printed before the date."),
        "signatory_title": _l("E.g. Kepala Dinas Sosial Kota Bandung."),
        "signatory_nip": _l("18 digits. Left empty, the letter has a dotted line to fill in."),
        "agenda_pattern": _l(
            "{seq} is the letter's number in the year's agenda book, {year} the year and "
            "{month} the month in Roman numerals; e.g. %(example)s.",
            example=DEFAULT_AGENDA_PATTERN,
        ),
    }
    add_form_extra_fields = {
        "region_code": RegionSearchField(_l("Regency/city"), level=2, validators=[DataRequired()]),
        # Typed as printed ("19700512 199503 1 002"): app.offices.check_nip drops the spaces.
        "signatory_nip": StringField(
            label_columns["signatory_nip"],
            description=description_columns["signatory_nip"],
            validators=[Optional()],
            widget=BS3TextFieldWidget(),
        ),
    }
    edit_form_extra_fields = add_form_extra_fields

    def check_form(self, form, adding):
        values = {
            "region_code": form.region_code.data,
            "signatory_nip": form.signatory_nip.data,
            # Left empty: the usual pattern of a Dinas Sosial (shown in the field's help).
            "agenda_pattern": form.agenda_pattern.data or DEFAULT_AGENDA_PATTERN,
        }
        office_id = None if adding else _pk_of_request()
        checked = offices.check_office(values, office_id)  # InvalidRecord → field errors
        for name, value in checked.items():
            getattr(form, name).data = value
        return []


def _pk_of_request() -> int | None:
    pk = (request.view_args or {}).get("pk")
    return int(pk) if str(pk).isdigit() else None
