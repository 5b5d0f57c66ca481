"""Proposals (usulan): the proposal list where operators submit their drafts and verifiers verify
or reject them, and the deactivation form. The forms that propose a new household or member are
views.proposal_forms. The rules live in app.proposals; these doors only read forms and show
answers."""

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import gettext, lazy_gettext
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import Optional as OptionalValue

from app import proposals
from app.duplicates import check as duplicates
from app.errors import DomainError
from app.register import queries
from app.security import privacy
from app.security.scope import region_filter
from models import Proposal
from models.enums import DeactivationReason, ProposalKind
from views import labels
from views.base import RegisterModelView
from views.datamodel import RegisterInterface
from views.fields import ChoiceField
from views.households import _text

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
    "warnings": lazy_gettext("Warnings"),
}


def warning_count(warnings) -> int:
    """The list shows how many warnings a proposal carries; the page shows them."""
    return len(warnings or [])


def current_user():
    from flask import current_app

    return current_app.appbuilder.sm.current_user


# -- the proposals ------------------------------------------------------------------------
#: Kept for the doors that imported it from here; the rule is app.proposals'.
proposed_people = proposals.proposed_people


def duplicate_warnings(proposal, people) -> list[str]:
    """The write doors' duplicate warnings for the people a proposal adds, shown again to the
    verifier (app.duplicates.check): the operator was warned while proposing."""
    if proposal.kind not in (ProposalKind.NEW_HOUSEHOLD, ProposalKind.NEW_MEMBER):
        return []
    messages = []
    for person in people:
        household = person.household
        messages.extend(
            duplicates.warnings_for(
                person.nik,
                person.full_name,
                person.birth_date,
                person.sex,
                household.village_code,
                member_id=person.id,
                kk_number=person.family.kk_number if person.family else None,
                address=household.address,
                counted=False,
            )
        )
    return messages


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
    # The region, and no other user's draft for an operator or verifier (app.proposals).
    base_filters = [*region_filter("household"), ["id", proposals.VisibleProposals, lambda: None]]
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
        "warnings",
    ]
    formatters_columns = {"warnings": warning_count}
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
        people = proposed_people(proposal)
        return self.render_show(
            pk,
            widgets,
            proposal=proposal,
            steps=self._steps(proposal),
            reject_form=RejectForm(),
            people=people,
            duplicate_warnings=duplicate_warnings(proposal, people),
            saved_warnings=proposal.warnings or [],
            # A NIK warning quotes the NIK's birth digits: only for those who see NIKs in full.
            warnings_readable=privacy.sees_full_nik(),
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
