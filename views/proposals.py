"""Proposals (usulan): the operator's forms for new households, new members and deactivations,
and the proposal list where operators submit their drafts and verifiers verify or reject them.
The rules live in app.proposals; these doors only read forms and show answers."""

import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, DatePickerWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from wtforms import DateField, FieldList, Form, FormField, TextAreaField
from wtforms.validators import Optional as OptionalValue

from app import proposals
from app.errors import DomainError
from app.register import queries
from app.register.households import InvalidRecord, Problems
from app.security.scope import region_filter
from models import Proposal
from models.enums import DeactivationReason, ProposalKind, Relationship, Sex
from views import labels
from views.base import RegisterModelView
from views.datamodel import RegisterInterface
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

LABELS = {
    **labels.COMMON,
    "id": lazy_gettext("No."),
    "kind": lazy_gettext("Proposal"),
    "status": lazy_gettext("Status"),
    "period": lazy_gettext("Period"),
    "household": lazy_gettext("Household"),
    "member": lazy_gettext("Household member"),
    "reason": lazy_gettext("Deactivation reason"),
    "note": lazy_gettext("Note"),
    "proposed_by": lazy_gettext("Proposed by"),
    "submitted_at": lazy_gettext("Submitted"),
    "verified_by": lazy_gettext("Verified/rejected by"),
    "verified_at": lazy_gettext("Verified/rejected"),
    "rejection_reason": lazy_gettext("Rejection reason"),
    "regency_code": lazy_gettext("Regency/city"),
}
#: Member row fields of the new-household form, in column order.
ROW_FIELDS = (
    "full_name",
    "nik",
    "kk_number",
    "relation_to_head",
    "sex",
    "birth_place",
    "birth_date",
)
_ROW_ERROR = re.compile(r"members-(\d+)-(\w+)")


def current_user():
    from flask import current_app

    return current_app.appbuilder.sm.current_user


# -- the proposals ------------------------------------------------------------------------
def proposed_people(proposal) -> list:
    """Whom the proposal is about, so the verifier decides on the page itself: the members of
    a proposed household, or the one member proposed or to be deactivated."""
    if proposal.member is not None:
        return [proposal.member]
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD and proposal.household is not None:
        return list(proposal.household.members)
    return []


class RejectForm(DynamicForm):
    rejection_reason = TextAreaField(
        lazy_gettext("Rejection reason"),
        validators=[OptionalValue()],
        widget=BS3TextAreaFieldWidget(),
        description=lazy_gettext("Required: the proposer reads it to correct the proposal."),
    )


class DeactivationForm(DynamicForm):
    register_id = _text(lazy_gettext("Register ID of the household"), required=True)
    nik = _text(
        lazy_gettext("NIK of the member"),
        description=lazy_gettext("Empty: the whole household is deactivated."),
    )
    reason = ChoiceField(
        DeactivationReason, label=lazy_gettext("Deactivation reason"), required=True
    )
    note = TextAreaField(
        lazy_gettext("Note"), validators=[OptionalValue()], widget=BS3TextAreaFieldWidget()
    )


class HouseholdLookupForm(DynamicForm):
    register_id = _text(lazy_gettext("Register ID of the household"), required=True)


class ProposalView(RegisterModelView):
    route_base = "/proposals"
    datamodel = RegisterInterface(
        Proposal,
        eager=[
            selectinload(Proposal.member),
            selectinload(Proposal.proposed_by),
        ],
    )
    base_filters = region_filter("household")
    include_route_methods = {
        "list",
        "show",
        "edit",
        "delete",
        "submit",
        "verify",
        "reject",
        "new_member",
        "deactivate",
    }
    # Starting a proposal is "adding" one.
    method_permission_name = {"new_member": "add", "deactivate": "add"}
    list_title = lazy_gettext("Proposals")
    show_title = lazy_gettext("Proposal")
    edit_title = lazy_gettext("Edit proposal")
    list_columns = [
        "id",
        "kind",
        "status",
        "household",
        "member",
        "reason",
        "period",
        "proposed_by",
        "submitted_at",
    ]
    order_columns = ["id", "submitted_at"]
    search_columns = ["kind", "status", "reason"]
    base_order = ("id", "desc")
    label_columns = LABELS
    show_fieldsets = [
        (
            lazy_gettext("Proposal"),
            {
                "fields": [
                    "kind",
                    "status",
                    "household",
                    "member",
                    "reason",
                    "note",
                    "period",
                ]
            },
        ),
        (
            lazy_gettext("Verification"),
            {
                "fields": [
                    "proposed_by",
                    "created_at",
                    "submitted_at",
                    "verified_by",
                    "verified_at",
                    "rejection_reason",
                ]
            },
        ),
    ]
    edit_columns = ["reason", "note"]
    edit_form_extra_fields = {
        "note": TextAreaField(
            lazy_gettext("Note"), validators=[OptionalValue()], widget=BS3TextAreaFieldWidget()
        ),
    }
    list_template = "datakesos/proposal_list.html"
    show_template = "datakesos/proposal_show.html"

    def _proposal_or_404(self, pk) -> Proposal:
        proposal = self.datamodel.get(pk, self._base_filters)
        if proposal is None:
            abort(404)
        return proposal

    def _allowed(self, permission: str, view: str = "ProposalView") -> bool:
        return self.appbuilder.sm.has_access(permission, view)

    def _steps(self, proposal: Proposal) -> dict:
        """The buttons the signed-in user gets on this proposal."""
        user = current_user()
        own = proposals.is_own(proposal, user)
        draft = proposal.status.name == "DRAFT"
        return {
            "submit": own and draft and self._allowed("can_submit"),
            "edit": own and draft and self._allowed("can_edit"),
            "withdraw": own
            and proposal.status in proposals.WITHDRAWABLE
            and self._allowed("can_delete"),
            "add_member": own
            and draft
            and proposal.kind == ProposalKind.NEW_HOUSEHOLD
            and self._allowed("can_add", "MemberProposalView"),
            "verify": proposals.may_verify(proposal, user) and self._allowed("can_verify"),
            "reject": proposals.may_verify(proposal, user) and self._allowed("can_reject"),
        }

    def _back(self, proposal_id):
        return redirect(url_for(f"{type(self).__name__}.show", pk=proposal_id))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        proposal = self._proposal_or_404(pk)
        widgets = self._show(pk)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            proposal=proposal,
            steps=self._steps(proposal),
            reject_form=RejectForm(),
            people=proposed_people(proposal),
        )

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        proposal = self._proposal_or_404(pk)
        if not self._steps(proposal)["edit"]:
            flash(gettext("Only the proposer may change a draft proposal."), "danger")
            return self._back(proposal.id)
        if request.method == "POST":
            form = self.edit_form.refresh()
            if form.validate():
                try:
                    proposals.update_draft(
                        proposal, current_user(), form.reason.data, form.note.data
                    )
                except DomainError as error:
                    flash(error.message, "danger")
                else:
                    flash(gettext("Proposal saved."), "success")
                    return self._back(proposal.id)
        else:
            form = self.edit_form.refresh(obj=proposal)
            self.prefill_form(form, pk)
        widgets = self._get_edit_widget(form=form)
        return self.render_template(self.edit_template, title=self.edit_title, widgets=widgets)

    @expose("/delete/<pk>", methods=["POST"])
    @has_access
    def delete(self, pk):
        proposal = self._proposal_or_404(pk)
        try:
            proposals.withdraw(proposal, current_user())
        except DomainError as error:
            flash(error.message, "danger")
            return self._back(proposal.id)
        flash(gettext("Proposal withdrawn."), "success")
        return redirect(url_for(f"{type(self).__name__}.list"))

    def _step(self, pk, step, done_message):
        proposal = self._proposal_or_404(pk)
        try:
            step(proposal, current_user())
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(done_message, "success")
        return self._back(proposal.id)

    @expose("/submit/<pk>", methods=["POST"])
    @has_access
    def submit(self, pk):
        return self._step(pk, proposals.submit, gettext("Proposal submitted for verification."))

    @expose("/verify/<pk>", methods=["POST"])
    @has_access
    def verify(self, pk):
        return self._step(
            pk, proposals.verify, gettext("Proposal verified: the period close applies it.")
        )

    @expose("/reject/<pk>", methods=["GET", "POST"])
    @has_access
    def reject(self, pk):
        proposal = self._proposal_or_404(pk)
        form = RejectForm()
        status = 200
        if request.method == "POST":
            try:
                proposals.reject(proposal, current_user(), form.rejection_reason.data)
            except DomainError as error:
                status = error.status
                if error.field == "rejection_reason":
                    form.rejection_reason.errors = [error.message]
                else:
                    flash(error.message, "danger")
            else:
                flash(gettext("Proposal rejected."), "success")
                return self._back(proposal.id)
        return self.render_template(
            "datakesos/proposal_form.html",
            title=gettext("Reject proposal"),
            form=form,
            proposal=proposal,
            submit_label=gettext("Reject"),
            cancel_url=url_for(f"{type(self).__name__}.show", pk=proposal.id),
        ), status

    @expose("/new-member", methods=["GET"])
    @has_access
    def new_member(self):
        """Which household gets a new member: asked by register ID, then the member form."""
        form = HouseholdLookupForm(request.args, meta={"csrf": False})
        status = 200
        if request.args.get("register_id"):
            try:
                household = queries.find_household(
                    current_user(), register_id=form.register_id.data
                )
            except DomainError as error:
                form.register_id.errors = [error.message]
                status = 404
            else:
                return redirect(url_for("MemberProposalView.add", _flt_0_household=household.id))
        return self.render_template(
            "datakesos/proposal_form.html",
            title=gettext("Propose a new household member"),
            form=form,
            method="get",
            submit_label=gettext("Next"),
            cancel_url=url_for(f"{type(self).__name__}.list"),
        ), status

    @expose("/deactivate", methods=["GET", "POST"])
    @has_access
    def deactivate(self):
        form = DeactivationForm()
        status = 200
        if request.method == "GET":
            self._prefill_deactivation(form)
        elif form.validate():
            try:
                household_id, member_id = proposals.deactivation_target(
                    current_user(), form.register_id.data, form.nik.data
                )
                proposal = proposals.propose_deactivation(
                    current_user(),
                    form.reason.data,
                    household_id=household_id,
                    member_id=member_id,
                    note=form.note.data,
                )
            except DomainError as error:
                status = error.status
                field = getattr(form, error.field or "", None)
                if field is not None:
                    field.errors = [*field.errors, error.message]
                else:
                    flash(error.message, "danger")
            else:
                flash(
                    gettext("Deactivation proposed as a draft: submit it for verification."),
                    "success",
                )
                return self._back(proposal.id)
        else:
            status = 400
        return self.render_template(
            "datakesos/proposal_form.html",
            title=gettext("Propose a deactivation"),
            form=form,
            submit_label=gettext("Save draft"),
            cancel_url=url_for(f"{type(self).__name__}.list"),
        ), status

    def _prefill_deactivation(self, form) -> None:
        """Links from a household or member page name their target: ?household=ID[&member=ID]."""
        user = current_user()
        try:
            if request.args.get("member"):
                member = queries.find_member(user, request.args["member"])
                form.register_id.data, form.nik.data = member.household.register_id, member.nik
            elif request.args.get("household"):
                form.register_id.data = queries.find_household(
                    user, request.args["household"]
                ).register_id
        except DomainError:
            abort(404)


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
                cells.append(f"<td>{sub(**{'aria-label': label})}{errors}</td>")
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
        columns = [*LOCATION, *HOUSING, *ASSETS, "welfare_decile"]
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
