"""The citizen's door (no sign-in): the public lookup /cek/, the submission form /sanggah/ and
the tracking page /sanggah/<code>. Thin: app.complaints checks, bounds, stores and counts; this
door reads the forms, keeps what was typed when something is refused, and answers 429 pages of
its own (in the visitor's language) when an address is over its limits."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext

from app.complaints import challenge, deciding, lookup, submitting, tracking
from app.errors import DomainError, QuotaUsedUp
from app.extensions import db
from app.security import rate_limits
from models import Region
from models.enums import ComplaintKind, Relationship

LEVELS = ("province", "regency", "district", "village")


def _address() -> str:
    return request.remote_addr or "-"


def _public(body, status: int = 200, retry_after: int | None = None):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def chosen_regions(args) -> tuple[list[dict], str]:
    """The four region selects as far as the visitor chose, and the village chosen ("" if
    none): a choice that does not lie under the one above it is dropped."""
    selects, parent, village = [], "", ""
    for level in LEVELS:
        options = lookup.children(parent or None) if (parent or level == "province") else []
        codes = {region.code for region in options}
        value = (args.get(level) or "").strip()
        value = value if value in codes else ""
        selects.append({"level": level, "options": options, "value": value})
        if not value:
            break
        parent = value
        if level == "village":
            village = value
    return selects, village


class CekView(BaseView):
    """Cek Bansos: the determined register of a village searched by part of a name."""

    route_base = "/cek"
    default_view = "search"

    @expose("/")
    def search(self):
        selects, village = chosen_regions(request.args)
        name = (request.args.get("name") or "").strip()
        context = {"selects": selects, "village": village, "name": name, "people": None}
        if village and name:
            wait = rate_limits.spend("CEK_RATE_LIMIT", "cek", _address())
            if wait is not None:
                context["refused"] = gettext(
                    "Too many searches from your address. Try again in %(minutes)d minutes.",
                    minutes=max(1, wait // 60),
                )
                return _public(self._render(context), 429, wait)
            solved = challenge.solve(request.args.get("challenge"), request.args.get("answer"))
            if not challenge.spend_search(_address()):
                context["challenge"] = challenge.new()
                context["challenge_failed"] = bool(request.args.get("answer")) and not solved
                return _public(self._render(context))
            try:
                context["people"] = lookup.search(village, name)
            except DomainError as error:
                context["error"] = error.message
                return _public(self._render(context), 400)
            context["period"] = lookup.last_closed_period()
        return _public(self._render(context))

    def _render(self, context):
        return self.render_template(
            "datakesos/citizen_lookup.html", title=gettext("Check the social register"), **context
        )


class SanggahView(BaseView):
    """Objections, proposals and decile objections, and their tracking."""

    route_base = "/sanggah"
    default_view = "form"

    @expose("/", methods=["GET", "POST"])
    def form(self):
        form = _submission(request.values)
        if request.method == "POST":
            form.photos = [upload.read() for upload in request.files.getlist("photos")]
            try:
                complaint = submitting.submit(form, _address())
            except QuotaUsedUp as error:
                return _public(self._render(form, error=error), 429, error.retry_after)
            except DomainError as error:
                return _public(self._render(form, error=error), 400)
            flash(
                gettext(
                    "Received. Keep your tracking code: %(code)s",
                    code=tracking.display(complaint.code),
                ),
                "success",
            )
            return redirect(url_for("SanggahView.track", code=tracking.display(complaint.code)))
        return _public(self._render(form))

    def _render(self, form: submitting.Submission, error: DomainError | None = None):
        kind = ComplaintKind.__members__.get(form.kind) or (
            ComplaintKind.PROPOSAL if not form.household_token else ComplaintKind.OBJECTION
        )
        household = lookup.household_of_token(form.household_token)
        selects, _village = chosen_regions(request.values) if not household else ([], "")
        return self.render_template(
            "datakesos/citizen_submit.html",
            title=gettext("Objection or proposal"),
            form=form,
            kind=kind,
            kinds=list(ComplaintKind),
            reasons=submitting.REASONS[kind],
            household=household,
            household_name=_head_masked(household),
            village=db.session.get(Region, household.village_code if household else _village)
            if (household or _village)
            else None,
            selects=selects,
            error=error,
            photos_max=current_app.config["COMPLAINT_PHOTOS_MAX"],
            days=current_app.config["COMPLAINT_DAYS"],
        )

    @expose("/lacak")
    def find(self):
        typed = (request.args.get("code") or "").strip()
        complaint = tracking.find(typed)
        return redirect(
            url_for(
                "SanggahView.track", code=tracking.display(complaint.code) if complaint else "-"
            )
        )

    @expose("/<code>")
    def track(self, code):
        wait = rate_limits.spend("COMPLAINT_TRACK_RATE_LIMIT", "track", _address())
        if wait is not None:
            return _public(
                self.render_template(
                    "datakesos/citizen_track.html",
                    title=gettext("Track a submission"),
                    standing=None,
                    refused=gettext("Too many requests. Try again in a minute."),
                ),
                429,
                wait,
            )
        complaint = tracking.find(code)
        standing = tracking.standing(complaint) if complaint else None
        return _public(
            self.render_template(
                "datakesos/citizen_track.html",
                title=gettext("Track a submission"),
                standing=standing,
                asked=code != "-",
                sla=deciding.sla(complaint.merged_into or complaint) if complaint else None,
            ),
            200 if standing or code == "-" else 404,
        )


def _submission(values) -> submitting.Submission:
    fields = submitting.Submission.__dataclass_fields__
    data = {name: (values.get(name) or "")[:2000] for name in fields if name != "photos"}
    if not data["village_code"]:
        data["village_code"] = (values.get("village") or "").strip()
    household = lookup.household_of_token(data["household_token"])
    if household is not None:
        data["village_code"] = household.village_code
    return submitting.Submission(**data)


def _head_masked(household) -> str | None:
    if household is None:
        return None
    head = next(
        (member for member in household.members if member.relation_to_head == Relationship.HEAD),
        None,
    )
    return lookup.mask(head.full_name) if head else None


def register_citizen_views(appbuilder) -> None:
    appbuilder.add_view_no_menu(CekView)
    appbuilder.add_view_no_menu(SanggahView)
