"""Flask-AppBuilder's security records in words: permissions, views and menus are stored under
code names (can_list, HouseholdView, "Households"), which the user, role and permission screens
(views.users) show as the page's language says them: "dapat melihat daftar pada Rumah Tangga"."""

from flask import current_app, g
from flask_appbuilder.api import BaseApi
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup

#: Every permission name the console's views declare (FAB's and ours, app.security.roles).
PERMISSIONS = {
    "can_list": lazy_gettext("can see the list"),
    "can_show": lazy_gettext("can see the details"),
    "can_add": lazy_gettext("can add"),
    "can_edit": lazy_gettext("can change"),
    "can_delete": lazy_gettext("can delete"),
    "can_export": lazy_gettext("can export"),
    "can_get": lazy_gettext("can read through the API"),
    "can_info": lazy_gettext("can read the API's field descriptions"),
    "can_post": lazy_gettext("can add through the API"),
    "can_put": lazy_gettext("can change through the API"),
    "menu_access": lazy_gettext("can open the menu"),
    "can_this_form_get": lazy_gettext("can open the form"),
    "can_this_form_post": lazy_gettext("can send the form"),
    "can_userinfo": lazy_gettext("can see the own profile"),
    "userinfoedit": lazy_gettext("can change the own profile"),
    "resetmypassword": lazy_gettext("can change the own password"),
    "resetpasswords": lazy_gettext("can reset passwords"),
    "copyrole": lazy_gettext("can copy roles"),
    "can_index": lazy_gettext("can open the page"),
    "can_import": lazy_gettext("can import"),
    "can_bulk": lazy_gettext("can print a village's certificates"),
    "can_certificate": lazy_gettext("can print certificates"),
    "can_recap": lazy_gettext("can print recaps"),
    "can_minutes": lazy_gettext("can print minutes"),
    "can_submit": lazy_gettext("can submit"),
    "can_verify": lazy_gettext("can verify"),
    "can_reject": lazy_gettext("can reject"),
    "can_decide": lazy_gettext("can decide"),
    "can_scan": lazy_gettext("can scan"),
    "can_override": lazy_gettext("can override"),
    "can_issue": lazy_gettext("can issue"),
    "can_revoke": lazy_gettext("can revoke"),
    "revoke": lazy_gettext("can revoke"),
    "can_lift": lazy_gettext("can lift"),
    "can_photo": lazy_gettext("can see the photos"),
    "can_task": lazy_gettext("can record the task done"),
}
#: Views with neither a menu entry nor a title of their own.
VIEWS = {
    "DashboardIndexView": lazy_gettext("Home"),
    "LocaleView": lazy_gettext("Language"),
    "UtilView": lazy_gettext("Back link"),
    "MenuApi": lazy_gettext("Menu (API)"),
    "OpenApi": lazy_gettext("API description"),
    "SwaggerView": lazy_gettext("API documentation"),
    "SecurityApi": lazy_gettext("Sign-in (API)"),
}
#: The titles a view is named by, in order, when it has no menu entry.
TITLES = ("list_title", "form_title", "title", "add_title")
#: Flask-AppBuilder's role of visitors who have not signed in; the other roles have Indonesian
#: names of their own (app.security.roles).
ROLES = {"Public": lazy_gettext("Public (not signed in)")}


def permission(name: str) -> str:
    return str(PERMISSIONS.get(name, name))


def role(value) -> str:
    name = getattr(value, "name", value)
    return str(ROLES.get(name, name))


def view_menu(name: str) -> str:
    """A view by its menu entry or title, a menu by its label; an API marked as such."""
    if "view_menu_labels" not in g:
        g.view_menu_labels = _view_menu_labels()
    return str(g.view_menu_labels.get(name, name))


def permission_view(value) -> str:
    """A role's permission: "dapat melihat daftar pada Rumah Tangga"."""
    return gettext(
        "%(permission)s on %(view)s",
        permission=permission(value.permission.name),
        view=view_menu(value.view_menu.name),
    )


def listed(values) -> Markup:
    """Roles, groups, users or permissions of a row, one per line and in words."""
    texts = sorted(_label_of(value) for value in values or [])
    return Markup("<br>").join(texts) if texts else Markup("–")


def _label_of(value) -> str:
    if hasattr(value, "permission") and hasattr(value, "view_menu"):
        return permission_view(value)
    if hasattr(value, "username"):
        return value.username
    return role(value)


def _view_menu_labels() -> dict:
    """Menu name or view class name → words: a view as its menu entry says it (else its title),
    an API as the console view of the same records, marked "(API)"."""
    appbuilder = current_app.appbuilder
    labels = {name: str(label) for name, label in VIEWS.items()}
    by_model = {}
    items = list(appbuilder.menu.get_list())
    while items:
        item = items.pop()
        items.extend(item.childs or [])
        if item.label:
            labels[item.name] = str(item.label)
            if item.baseview is not None:
                labels[item.baseview.class_permission_name] = str(item.label)
                by_model.setdefault(_model_of(item.baseview), str(item.label))
    for view in appbuilder.baseviews:
        name = view.class_permission_name
        if name in labels:
            continue
        if isinstance(view, BaseApi):
            title = by_model.get(_model_of(view)) or _title_of(view, set())
            labels[name] = gettext("%(name)s (API)", name=title) if title else name
        else:
            labels[name] = _title_of(view, set(labels.values())) or name
    return labels


def _model_of(view):
    return getattr(getattr(view, "datamodel", None), "obj", None)


def _title_of(view, taken: set) -> str | None:
    """The view's first title no other view is already named by (a form view derived from a
    list view, e.g. the member proposal form, inherits the list's title)."""
    titles = [str(title) for title in (getattr(view, name, None) for name in TITLES) if title]
    return next((title for title in titles if title not in taken), titles[0] if titles else None)
