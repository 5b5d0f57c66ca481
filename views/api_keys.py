"""Administrators' screen for API keys of machine clients (app/security/api_keys.py): list, issue
(the key shown once), revoke. Only a hash of each key is stored, so a lost key is revoked and
replaced, never shown again."""

import sqlalchemy as sa
from flask import flash, make_response, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import ApiKey
from flask_babel import gettext, lazy_gettext

from app.errors import DomainError
from app.extensions import db
from app.security import api_keys
from models import RegionUser
from views.base import ConsoleModelViewMixin


class ApiKeyView(ConsoleModelViewMixin, ModelView):
    route_base = "/apikeys"
    datamodel = SQLAInterface(ApiKey)
    base_permissions = ["can_list", "can_show", "can_issue", "can_revoke"]
    list_title = lazy_gettext("API keys")
    show_title = lazy_gettext("API key")
    list_columns = [
        "name",
        "user",
        "key_prefix",
        "created_on",
        "expires_on",
        "last_used_on",
        "revoked_on",
        "active",
    ]
    show_columns = ["uuid", *list_columns]
    search_columns = ["name", "active"]
    order_columns = ["name", "created_on", "last_used_on"]
    base_order = ("id", "desc")
    label_columns = {
        "uuid": "UUID",
        "name": lazy_gettext("Name"),
        "user": lazy_gettext("User"),
        "key_prefix": lazy_gettext("Prefix"),
        "created_on": lazy_gettext("Created"),
        "expires_on": lazy_gettext("Expires"),
        "last_used_on": lazy_gettext("Last used"),
        "revoked_on": lazy_gettext("Revoked"),
        "active": lazy_gettext("Active"),
    }

    @expose("/issue/", methods=["GET", "POST"])
    @has_access
    def issue(self):
        users = db.session.scalars(
            sa.select(RegionUser).where(RegionUser.active.is_(True)).order_by(RegionUser.username)
        ).all()
        values = {
            "username": request.form.get("username", "interkoneksi"),
            "name": request.form.get("name", ""),
            "days": request.form.get("days", ""),
        }
        context = {"users": users, "created": None, "message": None, **values}
        if request.method == "POST":
            try:
                days = int(values["days"]) if values["days"].strip() else None
            except ValueError:
                days = 0  # refused by the rule with its message
            try:
                context["created"] = api_keys.create(
                    values["username"], values["name"] or None, days
                )
            except DomainError as error:
                db.session.rollback()
                context["message"] = error.message
        response = make_response(self.render_template("datakesos/api_key_issue.html", **context))
        response.headers["Cache-Control"] = "no-store"  # the page holds the key itself
        return response

    @action(
        "revoke",
        lazy_gettext("Revoke"),
        lazy_gettext("Revoke the selected keys?"),
        "fa-ban",
        single=False,
    )
    def revoke(self, items):
        items = items if isinstance(items, list) else [items]
        for item in items:
            api_keys.revoke(item.uuid)
        flash(gettext("%(count)d API keys revoked.", count=len(items)), "success")
        return redirect(url_for("ApiKeyView.list"))


def register_api_key_views(appbuilder) -> None:
    appbuilder.add_view(
        ApiKeyView, "API keys", label=lazy_gettext("API keys"), icon="fa-key", category="Security"
    )
    appbuilder.add_link(
        "New API key",
        label=lazy_gettext("New API key"),
        href="ApiKeyView.issue",
        icon="fa-plus",
        category="Security",
    )
