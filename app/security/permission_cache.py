"""Permission checks answered from one query per request.

Flask-AppBuilder asks the database once per `has_access` call: every menu entry of the navbar and
every button of a list or page is a query (25–30 per page here, about half of a page's time).
`CachedPermissions` loads the (view, permission) pairs of the user's roles once per request and
answers the rest from that set. Outside a request (CLI, jobs) it asks as before. Permission
changes take effect on the next request, as before.
"""

from flask import g, has_request_context
from flask_appbuilder.security.sqla.models import assoc_permissionview_role


class CachedPermissions:
    """Mixin for the SQLAlchemy SecurityManager."""

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        cache = g.setdefault("_permission_pairs", {})
        key = tuple(sorted(role_ids))
        if key not in cache:
            cache[key] = self.permission_pairs(key)
        return (view_name, permission_name) in cache[key]

    def permission_pairs(self, role_ids) -> set[tuple[str, str]]:
        """(view or menu name, permission name) of every permission the roles hold."""
        query = (
            self.session.query(self.viewmenu_model.name, self.permission_model.name)
            .select_from(self.permissionview_model)
            .join(
                assoc_permissionview_role,
                self.permissionview_model.id == assoc_permissionview_role.c.permission_view_id,
            )
            .join(
                self.permission_model,
                self.permission_model.id == self.permissionview_model.permission_id,
            )
            .join(
                self.viewmenu_model,
                self.viewmenu_model.id == self.permissionview_model.view_menu_id,
            )
            .filter(assoc_permissionview_role.c.role_id.in_(role_ids))
        )
        return {(view, permission) for view, permission in query}
