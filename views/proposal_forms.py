"""The proposing forms: a new household with its members, and a new member of a household —
the register's own forms (views.households), proposing instead of adding. The rules live in
app.proposals; the proposal they create is then handled on views.proposals' list."""

import re

from flask import abort, g, redirect, url_for
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, DatePickerWidget
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape
from wtforms import DateField, FieldList, Form, FormField, TextAreaField
from wtforms.validators import Optional as OptionalValue

from app import proposals
from app.register.households import InvalidRecord, Problems
from models.enums import Relationship, Sex
from views.fields import ChoiceField
from views.households import (
    ASSETS,
    HEAD_FIELDS,
    HOUSING,
    LOCATION,
    MEMBER_DETAIL,
    HouseholdView,
    MemberView,
    _text,
)
from views.proposals import current_user

_ROW_ERROR = re.compile(r"members-(\d+)-(\w+)")


# -- a new household with its members ------------------------------------------------------
class MemberRowsWidget:
    """The further members of a new household as a table: one row each, one column a field."""

    def __call__(self, field, **kwargs):
        entries = list(field.entries)
        if not entries:
            return Markup("")
        head = "".join(f"<th>{escape(sub.label.text)}</th>" for sub in entries[0].form)
        rows = []
        for number, entry in enumerate(entries, start=1):
            cells = []
            for sub in entry.form:
                errors = "".join(
                    f'<div class="text-danger small">{escape(message)}</div>'
                    for message in sub.errors or []
                )
                # Screen readers get the column's name and the row's number.
                label = f"{sub.label.text} ({number})"
                # data-label: the column's name above the field on a phone (datakesos.css).
                name = escape(sub.label.text)
                cells.append(f'<td data-label="{name}">{sub(**{"aria-label": label})}{errors}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return Markup(
            f'<table class="table table-condensed member-rows" id="{escape(field.id)}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


class FurtherMemberForm(Form):
    full_name = _text(lazy_gettext("Full name"))
    nik = _text(lazy_gettext("NIK"))
    kk_number = _text(
        lazy_gettext("KK number"), description=lazy_gettext("Empty: the head's family card")
    )
    relation_to_head = ChoiceField(Relationship, label=lazy_gettext("Relationship to head"))
    sex = ChoiceField(Sex, label=lazy_gettext("Sex"))
    birth_place = _text(lazy_gettext("Birth place"))
    birth_date = DateField(
        lazy_gettext("Birth date"), widget=DatePickerWidget(), validators=[OptionalValue()]
    )


class MemberRows(FieldList):
    """The rows are read by the view, never copied onto the household."""

    widget = MemberRowsWidget()

    def populate_obj(self, obj, name):
        pass


def _blank(row: dict) -> bool:
    return not any(value not in (None, "") for value in row.values())


class HouseholdProposalView(HouseholdView):
    """The household form of the register, proposing instead of adding."""

    route_base = "/proposals/households"
    include_route_methods = {"add"}
    add_title = lazy_gettext("Propose a new household")
    related_views = []
    add_fieldsets = [
        *HouseholdView.add_fieldsets[:2],
        (lazy_gettext("Further members"), {"fields": ["further_members"]}),
        *HouseholdView.add_fieldsets[2:],
        (lazy_gettext("Proposal"), {"fields": ["proposal_note"]}),
    ]
    add_form_extra_fields = {
        **HouseholdView.add_form_extra_fields,
        "further_members": MemberRows(
            FormField(FurtherMemberForm),
            label=lazy_gettext("Further members"),
            min_entries=5,
            max_entries=30,
            description=lazy_gettext(
                "Leave a row empty when there is no one to add; more members can be added to "
                "the draft later."
            ),
        ),
        "proposal_note": TextAreaField(
            lazy_gettext("Note"), validators=[OptionalValue()], widget=BS3TextAreaFieldWidget()
        ),
    }
    label_columns = {
        **HouseholdView.label_columns,
        "further_members": lazy_gettext("Further members"),
        "proposal_note": lazy_gettext("Note"),
    }

    def check_form(self, form, adding):
        columns = [*LOCATION, *HOUSING, *ASSETS]
        data = {name: getattr(form, name).data for name in columns if hasattr(form, name)}
        head = {name.removeprefix("head_"): getattr(form, name).data for name in HEAD_FIELDS}
        head["relation_to_head"] = Relationship.HEAD
        rows = [
            (index, entry.form.data)
            for index, entry in enumerate(form.further_members.entries)
            if not _blank(entry.form.data)
        ]
        members = [head]
        for _index, row in rows:
            members.append({**row, "kk_number": row.get("kk_number") or head["kk_number"]})
        problems = proposals.check_household_proposal(data, members, current_user())
        if problems.errors:
            raise InvalidRecord(self._place_row_errors(form, rows, problems))
        g.proposed_members = members
        return problems.warnings

    @staticmethod
    def _place_row_errors(form, rows, problems: Problems) -> Problems:
        """Errors of further members go to their row; the rest stays with the form."""
        remaining = Problems(warnings=problems.warnings)
        in_rows = False
        for field_name, message in problems.errors:
            match = _ROW_ERROR.fullmatch(field_name)
            if match and 1 <= int(match.group(1)) <= len(rows):
                entry = form.further_members.entries[rows[int(match.group(1)) - 1][0]]
                sub = entry.form[match.group(2)] if match.group(2) in entry.form else None
                if sub is not None:
                    sub.errors = [*sub.errors, message]
                    in_rows = True
                    continue
            remaining.error(field_name, message)
        if in_rows:
            remaining.error(
                "further_members_rows", gettext("Check the further members marked in red.")
            )
        return remaining

    def pre_add(self, item):
        note = getattr(item, "proposal_note", None)
        for name in [*HEAD_FIELDS, "further_members", "proposal_note"]:
            if name in vars(item):
                delattr(item, name)
        g.created_proposal = proposals.build_household_proposal(
            item, g.proposed_members, current_user(), (note or "").strip() or None
        )

    def post_add_redirect(self):
        return _to_created_proposal() or super().post_add_redirect()


def _to_created_proposal():
    proposal = getattr(g, "created_proposal", None)
    if proposal is None or proposal.id is None:
        return None
    return redirect(url_for("ProposalView.show", pk=proposal.id))


# -- a new member of a household -----------------------------------------------------------
class MemberProposalView(MemberView):
    """The member form of the register, proposing instead of adding: for a determined
    household (a NEW_MEMBER proposal) or for the user's own draft household proposal."""

    route_base = "/proposals/members"
    include_route_methods = {"add"}
    add_title = lazy_gettext("Propose a new household member")
    related_views = []
    add_columns = [
        "nik",
        "full_name",
        "kk_number",
        *[name for name in MEMBER_DETAIL if name != "status"],
    ]
    add_form_extra_fields = {
        **MemberView.add_form_extra_fields,
        "kk_number": _text(
            lazy_gettext("KK number"), description=lazy_gettext("Empty: the head's family card")
        ),
    }

    def check_form(self, form, adding):
        household = self._household_from_request()
        if household is None:
            abort(404)
        if not (form.kk_number.data or "").strip() and household.head is not None:
            form.kk_number.data = household.head.family.kk_number
        data = {name: getattr(form, name).data for name in self.add_columns}
        problems, nik, family, draft = proposals.check_member_proposal(
            household, data, current_user()
        )
        form.nik.data = nik
        problems.raise_if_any()
        g.member_proposal = (household, family, draft)
        return problems.warnings

    def pre_add(self, item):
        if "kk_number" in vars(item):
            del item.kk_number
        household, family, draft = g.member_proposal
        g.created_proposal = proposals.build_member_proposal(
            household, item, family, draft, current_user()
        )

    def post_add_redirect(self):
        return _to_created_proposal() or super().post_add_redirect()
