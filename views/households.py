"""Households, families, members and program memberships: the clerk's forms and lists."""

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from wtforms import DateField, StringField
from wtforms.validators import DataRequired
from wtforms.validators import Optional as OptionalValue

from app import formatting, proposals
from app.ranking import explanations
from app.register import households, quick_search
from app.register.households import Problems
from app.register.reference import open_period
from app.security.privacy import (
    birth_date_for_viewer,
    family_for_viewer,
    kk_for_viewer,
    nik_for_viewer,
    target_for_viewer,
)
from app.security.scope import region_filter
from models import Family, Household, Member, ProgramMembership
from models.enums import HouseholdStatus, ProposalStatus, Relationship, Sex
from models.households import ASSET_COLUMNS
from views import labels
from views.base import RegisterModelView
from views.datamodel import RegisterInterface
from views.fields import ChoiceField
from views.filters import (
    FilterBirthYear,
    FilterFamilyKk,
    FilterInRegion,
    FilterMemberName,
    FilterMemberNik,
    FilterProgram,
)
from views.widgets import RegionSearchField

LOCATION = ["village_code", "address", "rt", "rw", "latitude", "longitude"]
HOUSING = [
    "building_tenure",
    "land_tenure",
    "floor_area_m2",
    "floor_type",
    "wall_type",
    "roof_type",
    "drinking_water",
    "lighting",
    "cooking_fuel",
    "toilet",
]
ASSETS = list(ASSET_COLUMNS)
HEAD_FIELDS = [
    "head_full_name",
    "head_nik",
    "head_kk_number",
    "head_sex",
    "head_birth_place",
    "head_birth_date",
]
#: A member's fields beside the name, in the register's order (app.register.households).
MEMBER_DETAIL = [name for name in households.MEMBER_FIELDS if name != "full_name"]


def _text(label, required=False, description=""):
    validators = [DataRequired()] if required else [OptionalValue()]
    return StringField(
        label, validators=validators, widget=BS3TextFieldWidget(), description=description
    )


def _region_search():
    return (
        lazy_gettext("Region"),
        RegionSearchField(lazy_gettext("Region"), level=None),
        [FilterInRegion],
    )


class MemberView(RegisterModelView):
    route_base = "/members"
    datamodel = RegisterInterface(Member, eager=[selectinload(Member.household)])
    base_filters = region_filter("household")
    list_title = lazy_gettext("Household members")
    show_title = lazy_gettext("Household member")
    add_title = lazy_gettext("Add household member")
    edit_title = lazy_gettext("Edit household member")
    list_columns = [
        "nik",
        "full_name",
        "relation_to_head",
        "sex",
        "birth_date",
        "household",
        "status",
    ]
    show_fieldsets = [
        (lazy_gettext("Identity"), {"fields": ["nik", "full_name", "family", "household"]}),
        (lazy_gettext("Details"), {"fields": MEMBER_DETAIL}),
    ]
    add_columns = ["nik", "full_name", "kk_number", *MEMBER_DETAIL]
    edit_columns = add_columns
    search_columns = ["full_name", "status"]
    order_columns = ["nik", "full_name", "birth_date"]
    base_order = ("id", "asc")
    label_columns = labels.MEMBER
    # app.security.privacy: masked viewers see NIK and the family's KK masked, the birth year only.
    formatters_columns = {
        "nik": nik_for_viewer,
        "birth_date": birth_date_for_viewer,
        "family": family_for_viewer,
    }
    add_form_extra_fields = {
        "kk_number": _text(lazy_gettext("KK number"), required=True),
        "birth_date": DateField(
            lazy_gettext("Birth date"), widget=DatePickerWidget(), validators=[DataRequired()]
        ),
    }
    edit_form_extra_fields = add_form_extra_fields
    extra_search = {
        "nik": (lazy_gettext("NIK"), _text(lazy_gettext("NIK")), [FilterMemberNik]),
        "region": _region_search(),
        # By year only: in place of date comparisons that would find a birth date.
        "birth_date": (
            lazy_gettext("Birth year"),
            _text(lazy_gettext("Birth year")),
            [FilterBirthYear],
        ),
    }

    def _household_from_request(self):
        return households.household_in_scope(request.args.get("_flt_0_household"))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        household_id = request.args.get("_flt_0_household")
        if household_id is None:
            # The members list's "+" names no household: a member is added from the page of
            # their household (its members tab), so the button leads there, not to a 404.
            flash(gettext("Open the member's household: members are added from its page."), "info")
            return redirect(url_for("HouseholdView.list"))
        if households.household_in_scope(household_id) is None:
            abort(404)
        return super().add()

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        member = self.datamodel.get(pk, self._base_filters)
        form.kk_number.data = member.family.kk_number if member and member.family else ""

    def check_form(self, form, adding):
        if adding:
            household, member = self._household_from_request(), None
            if household is None:
                abort(404)
        else:
            member = self.datamodel.get(request.view_args["pk"], self._base_filters)
            household = member.household
        problems = Problems()
        data = {name: getattr(form, name).data for name in ["nik", "full_name", *MEMBER_DETAIL]}
        form.nik.data, family = households.check_member_change(
            household, data, problems, member=member, kk_number=form.kk_number.data
        )
        problems.raise_if_any()
        g.member_placement = (household, family)
        return problems.warnings

    def pre_add(self, item):
        self._place(item)

    def pre_delete(self, item):
        households.check_head_kept(item, deleting=True)

    def pre_update(self, item):
        super().pre_update(item)
        self._place(item)

    def _place(self, item):
        item.household, item.family = g.member_placement
        if hasattr(item, "kk_number"):
            del item.kk_number


class FamilyView(RegisterModelView):
    route_base = "/families"
    datamodel = RegisterInterface(Family, eager=[selectinload(Family.household)])
    base_filters = region_filter("household")
    base_permissions = ["can_list", "can_show"]
    list_title = lazy_gettext("Families")
    show_title = lazy_gettext("Family")
    list_columns = ["kk_number", "household"]
    show_columns = ["kk_number", "household", "created_at", "updated_at"]
    search_columns = ["kk_number"]
    label_columns = labels.FAMILY
    formatters_columns = {"kk_number": kk_for_viewer}
    related_views = [MemberView]
    # A whole KK number (counted for masked viewers, app.security.lookups), not a prefix or part.
    extra_search = {
        "region": _region_search(),
        "kk_number": (
            lazy_gettext("KK number"),
            _text(lazy_gettext("KK number")),
            [FilterFamilyKk],
        ),
    }


class MembershipView(RegisterModelView):
    route_base = "/memberships"
    datamodel = RegisterInterface(
        ProgramMembership,
        eager=[
            selectinload(ProgramMembership.member),
            selectinload(ProgramMembership.family),
            selectinload(ProgramMembership.household),
        ],
    )
    base_filters = region_filter("household")
    base_permissions = ["can_list", "can_show"]
    list_title = lazy_gettext("Program memberships")
    show_title = lazy_gettext("Program membership")
    list_columns = ["program", "target", "status", "start_date", "end_date", "card_number"]
    show_columns = [
        "program",
        "target",
        "household",
        "status",
        "start_date",
        "end_date",
        "card_number",
    ]
    search_columns = ["status", "card_number"]
    label_columns = labels.MEMBERSHIP
    formatters_columns = {"target": target_for_viewer}  # a family by its KK (app.security.privacy)
    extra_search = {"region": _region_search()}


class HouseholdView(RegisterModelView):
    route_base = "/households"
    datamodel = RegisterInterface(Household, eager=[selectinload(Household.head)])
    base_filters = region_filter("village_code")
    list_title = lazy_gettext("Households")
    show_title = lazy_gettext("Household")
    add_title = lazy_gettext("Add household")
    edit_title = lazy_gettext("Edit household")
    list_columns = ["register_id", "head", "village", "address", "welfare_decile", "status"]
    order_columns = ["register_id", "welfare_decile", "status"]
    base_order = ("id", "desc")
    search_columns = ["register_id", "welfare_decile", "status"]
    label_columns = labels.HOUSEHOLD
    show_fieldsets = [
        (
            lazy_gettext("Location"),
            {"fields": ["register_id", "village", *LOCATION[1:], "status"]},
        ),
        (lazy_gettext("Housing"), {"fields": HOUSING, "expanded": True}),
        (lazy_gettext("Assets"), {"fields": ASSETS, "expanded": False}),
    ]
    add_fieldsets = [
        (lazy_gettext("Location"), {"fields": LOCATION}),
        (lazy_gettext("Head of household"), {"fields": HEAD_FIELDS}),
        (lazy_gettext("Housing"), {"fields": HOUSING}),
        (lazy_gettext("Assets"), {"fields": ASSETS}),
    ]
    edit_fieldsets = [
        (lazy_gettext("Location"), {"fields": LOCATION}),
        (lazy_gettext("Housing"), {"fields": HOUSING}),
        (lazy_gettext("Assets"), {"fields": ASSETS}),
    ]
    related_views = [MemberView, FamilyView, MembershipView]
    show_template = "datakesos/household_show.html"
    list_template = "datakesos/household_list.html"
    add_form_extra_fields = {
        "village_code": RegionSearchField(lazy_gettext("Village"), validators=[DataRequired()]),
        "head_full_name": _text(lazy_gettext("Full name"), required=True),
        "head_nik": _text(lazy_gettext("NIK"), required=True),
        "head_kk_number": _text(lazy_gettext("KK number"), required=True),
        "head_sex": ChoiceField(Sex, label=lazy_gettext("Sex"), required=True),
        "head_birth_place": _text(lazy_gettext("Birth place")),
        "head_birth_date": DateField(
            lazy_gettext("Birth date"), widget=DatePickerWidget(), validators=[DataRequired()]
        ),
    }
    edit_form_extra_fields = {"village_code": add_form_extra_fields["village_code"]}
    extra_search = {
        "region": _region_search(),
        "nik": (lazy_gettext("NIK"), _text(lazy_gettext("NIK")), [FilterMemberNik]),
        "kk_number": (
            lazy_gettext("KK number"),
            _text(lazy_gettext("KK number")),
            [FilterFamilyKk],
        ),
        "member_name": (
            lazy_gettext("Member name"),
            _text(lazy_gettext("Member name")),
            [FilterMemberName],
        ),
        "program": (lazy_gettext("Program"), _text(lazy_gettext("Program code")), [FilterProgram]),
    }

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        widgets = self._show(pk)  # 404 outside the viewer's region
        household = self.datamodel.get(pk, self._base_filters)
        return self.render_show(
            pk,
            widgets,
            ranking=explanations.ranking_of(household),
            found_member=quick_search.member_in_household(household, request.args.get("member")),
            may=household_actions(household),
        )

    def _init_properties(self):
        super()._init_properties()
        # On the page only: an export keeps the head's name (views.base._declared_formatters).
        self.formatters_columns["head"] = found_members_or_head

    def _get_list_widget(self, filters, **kwargs):
        widgets = super()._get_list_widget(filters, **kwargs)
        searched = {}
        for flt, value in filters.get_filters_values():
            values = value if isinstance(value, list) else [value]
            searched.setdefault(type(flt), next(iter(values), None))
        g.found_members = quick_search.matching_members(
            widgets["list"].template_args.get("pks") or [],
            nik=searched.get(FilterMemberNik),
            name=searched.get(FilterMemberName),
        )
        return widgets

    def check_form(self, form, adding):
        columns = [*LOCATION, *HOUSING, *ASSETS]
        data = {name: getattr(form, name).data for name in columns if hasattr(form, name)}
        if not adding:
            problems = Problems()
            households.check_household(data, problems)
            problems.raise_if_any()
            return problems.warnings
        head = {name.removeprefix("head_"): getattr(form, name).data for name in HEAD_FIELDS}
        head["relation_to_head"] = Relationship.HEAD
        problems = households.check_new_household(data, [head])
        problems.raise_if_any()
        g.new_household_head = head
        return problems.warnings

    def pre_add(self, item):
        for name in HEAD_FIELDS:
            if hasattr(item, name):
                delattr(item, name)
        households.attach_members(item, [g.new_household_head])


def found_members_or_head(head):
    """A household row's "head" cell: when the list is searched by a member's NIK or name
    (HouseholdView._get_list_widget), the members found, with their NIK as the viewer may see
    it, and the head beside them; otherwise the head."""
    found = g.get("found_members", {}).get(head.household_id) if head is not None else None
    if not found:
        return formatting.value(head)
    cells = [
        Markup(
            '<span class="found-member"><strong>{}</strong> <span class="nik">{}</span></span>'
        ).format(member.full_name, nik_for_viewer(member.nik) or "")
        for member in found
    ]
    if all(member.id != head.id for member in found):
        cells.append(
            Markup('<small class="text-muted">{}</small>').format(
                gettext("Head: %(name)s", name=head.full_name)
            )
        )
    return Markup("<br>").join(cells)


def household_actions(household) -> set[str]:
    """The buttons of a household's page that can succeed, for this viewer and this household:
    none is offered that could only fail."""
    sm = current_app.appbuilder.sm
    user = sm.current_user
    may = set()
    if sm.has_access("can_edit", "HouseholdView"):
        may.add("edit")
    # Proposals are made in the open period, for a household of the register (a member also for
    # one's own draft household proposal).
    if open_period() is not None:
        active = household.status == HouseholdStatus.ACTIVE
        if sm.has_access("can_add", "MemberProposalView") and (
            active or _own_draft(household, user)
        ):
            may.add("propose_member")
        if active and sm.has_access("can_add", "ProposalView"):
            may.add("propose_deactivation")
    if sm.has_access("can_certificate", "ReportsView") and _certificate_possible(household):
        may.add("certificate")
    return may


def _own_draft(household, user) -> bool:
    if household.status != HouseholdStatus.PROPOSED:
        return False
    draft = proposals.draft_of_household(household)
    if draft is None or draft.status != ProposalStatus.DRAFT:
        return False
    return proposals.is_own(draft, user)


def _certificate_possible(household) -> bool:
    """A certificate is printed only for a household of a determined register (reports)."""
    from reports import certificates  # the PDF side, loaded only where certificates are offered

    try:
        certificates.check_printable(household, certificates.determined_period(household.id))
    except certificates.NotDetermined:
        return False
    return True
