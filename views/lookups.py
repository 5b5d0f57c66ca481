"""Callers whose NIK and KK lookups are suspended for looking like guessing: the list for Admin
and Pusdatin, and the button that lifts a suspension. Thin: the rule and the audit entry
(`lookup_suspension_lifted`) live in app.security.guessing."""

from flask import flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext

from app.security import guessing


class LookupSuspensionView(BaseView):
    route_base = "/lookup-suspensions"
    default_view = "list"
    method_permission_name = {"list": "list", "lift": "lift"}

    @expose("/")
    @has_access
    def list(self):
        return self.render_template(
            "datakesos/lookup_suspensions.html",
            title=lazy_gettext("Suspended lookups"),
            users=guessing.suspended_users(),
        )

    @expose("/lift/<int:pk>", methods=["POST"])
    @has_access
    def lift(self, pk):
        user = guessing.suspended_user(pk)
        if user is None:
            flash(gettext("This user's lookups are not suspended."), "warning")
        else:
            guessing.lift(user.id)
            flash(
                gettext(
                    "The suspension of %(username)s is lifted: their NIK and KK number "
                    "lookups are answered again.",
                    username=user.username,
                ),
                "success",
            )
        return redirect(url_for("LookupSuspensionView.list"))


def register_lookup_views(appbuilder) -> None:
    appbuilder.add_view(
        LookupSuspensionView,
        "Suspended lookups",
        label=lazy_gettext("Suspended lookups"),
        icon="fa-ban",
    )
