"""A region picker that asks the server for a page of matches instead of listing 83,762
villages in the page."""

from flask import url_for
from flask_babel import lazy_gettext
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.widgets import html_params

from app.extensions import db
from app.security.scope import NOTHING, current_scope
from models import Region


class RegionSearchWidget:
    def __init__(self, level: int | None = 4):
        self.level = level

    def __call__(self, field, **kwargs):
        under = current_scope()
        url = url_for(
            "RegionSearchView.search",
            level=self.level or "",
            under=under if under != NOTHING else "",
        )
        params = html_params(
            id=kwargs.pop("id", field.id),
            name=field.name,
            class_="form-control region-search",
            data_url=url,
            data_placeholder=str(lazy_gettext("Type a village name or code")),
            **{k: v for k, v in kwargs.items() if k not in ("class", "class_")},
        )
        options = ""
        if field.data:
            region = db.session.get(Region, field.data)
            label = f"{region.name} ({region.code})" if region else field.data
            options = f'<option value="{escape(field.data)}" selected>{escape(label)}</option>'
        return Markup(f"<select {params}>{options}</select>")


class RegionSearchField(StringField):
    """Holds a region code; the server validates it (existence, level, scope)."""

    widget = RegionSearchWidget()

    def __init__(self, label=None, validators=None, level: int | None = 4, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.widget = RegionSearchWidget(level)

    def process_formdata(self, valuelist):
        self.data = (valuelist[0] or "").strip() if valuelist else None
