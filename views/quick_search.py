"""The navigation bar's quick search (/search/?q=…): a NIK, KK number, register ID or name.
One hit opens the household's page with the member found highlighted, several are listed
(the member, their NIK as the viewer may see it, the household), none is said, the query kept
in the box. Thin: app.register.quick_search finds, bounds and audits; this door adds the
per-user rate limit (QUICK_SEARCH_RATE_LIMIT)."""

from flask import abort, current_app, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext
from flask_login import current_user

from app.register import quick_search
from app.security import lookups


class QuickSearchView(BaseView):
    route_base = "/search"
    default_view = "search"
    # Whoever may list the register may search it (app.security.roles: REGISTER_VIEWS).
    method_permission_name = {"search": "list"}

    @expose("/")
    @has_access
    def search(self):
        query = request.args.get("q", "")
        page = request.args.get("page", "0")
        page = int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 0
        page_size = current_app.config["QUICK_SEARCH_MAX_RESULTS"]
        try:
            found = quick_search.search(self.appbuilder.sm.current_user, query, page, page_size)
        except lookups.LookupRefused as error:
            abort(403, description=error.message)  # as the lists' NIK filters answer it
        if found.total == 1 and found.hits:
            return redirect(household_url(found.hits[0]))
        return self.render_template(
            "datakesos/quick_search.html",
            title=lazy_gettext("Found in the register"),
            query=query,
            found=found,
            household_url=household_url,
        )


def household_url(hit) -> str:
    """The household's page; with the member found highlighted when a member was found."""
    if hit.member is None:
        return url_for("HouseholdView.show", pk=hit.household.id)
    return url_for(
        "HouseholdView.show", pk=hit.household.id, member=hit.member.id, _anchor="found-member"
    )


def _searcher() -> str:
    """Per user, not per address: a district office shares one address. Asked before the
    request's handlers run, so of Flask-Login (Flask-AppBuilder's g.user is not set yet)."""
    user = current_user
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.id}"
    return request.remote_addr or "-"


def register_quick_search_view(appbuilder) -> None:
    view = appbuilder.add_view_no_menu(QuickSearchView)
    limiter = getattr(appbuilder.sm, "limiter", None)
    if limiter is not None and view.blueprint is not None:
        limiter.limit(
            lambda: current_app.config["QUICK_SEARCH_RATE_LIMIT"],
            key_func=_searcher,
            scope="quick_search",
            exempt_when=lambda: not request.args.get("q", "").strip(),
        )(view.blueprint)
