"""Form fields for categorical columns.

Flask-AppBuilder's EnumField raises a bare ValueError on an unknown choice, which WTForms 3
does not catch (a server error instead of a form error), and it cannot be left empty for a
nullable column. This field does both properly and shows the translated labels."""

import datetime

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget, Select2Widget
from flask_babel import lazy_gettext
from wtforms import BooleanField, DateField, DecimalField, SelectField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import DataRequired, Optional


class ChoiceField(SelectField):
    widget = Select2Widget()

    def __init__(self, enum_class, label=None, required=False, **kwargs):
        self.enum_class = enum_class
        choices = [] if required else [SelectChoice("", "—")]
        choices += [
            SelectChoice(member.name, lazy_gettext(str.__str__(member.value)))
            for member in enum_class
        ]
        validators = [DataRequired()] if required else [Optional()]
        super().__init__(
            label, validators=validators, coerce=self._coerce, choices=choices, **kwargs
        )

    def _coerce(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, self.enum_class):
            return value
        return self.enum_class[value]  # KeyError → WTForms reports an invalid choice

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = self._coerce(valuelist[0])
        except KeyError as error:
            self.data = None
            raise ValueError(self.gettext("Not a valid choice.")) from error

    def iter_choices(self):
        for choice in self.choices:
            value = choice.value
            selected = (self.data is None and value == "") or (
                self.data is not None and getattr(self.data, "name", self.data) == value
            )
            yield Choice(value, choice.label, selected, {})

    def pre_validate(self, form):
        """The value was checked when it was read; an empty one is left to the validators."""


#: How a date may be written in a form: ISO 8601 first (what the page's date picker sends, the
#: API speaks and the field shows without JavaScript), or day/month/year as Indonesians write it.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_day(text: str) -> datetime.date:
    """09/04/2000 or 2000-04-09 → the date; ValueError for anything else."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), date_format).date()
        except ValueError:
            continue
    raise ValueError(text)


class DayField(DateField):
    """A date with the console's date picker (app/static/js/dates-id.js shows it as 09/04/2000
    and sends ISO), read in either way of writing it."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", DatePickerWidget())
        super().__init__(label, validators, format=list(DATE_FORMATS), **kwargs)


def register_fields(datamodel, columns, labels) -> dict:
    """Fields Flask-AppBuilder would get wrong: a ChoiceField for every enumeration column,
    an optional checkbox for every yes/no column (unticked is a valid answer), a DayField for
    every date column, and a decimal
    field at the column's own scale (FAB's shows two places, so saving any edit would round
    coordinates to about a kilometre)."""
    fields = {}
    for name in columns:
        column = datamodel.list_columns.get(name)
        if column is None:
            continue
        if datamodel.is_boolean(name):
            fields[name] = BooleanField(labels.get(name, name), validators=[Optional()])
        elif datamodel.is_enum(name):
            fields[name] = ChoiceField(
                column.type.enum_class, label=labels.get(name, name), required=not column.nullable
            )
        elif datamodel.is_date(name):
            fields[name] = DayField(
                labels.get(name, name),
                validators=[Optional()] if column.nullable else [DataRequired()],
            )
        elif getattr(column.type, "scale", None):
            fields[name] = DecimalField(
                labels.get(name, name),
                places=column.type.scale,
                widget=BS3TextFieldWidget(),
                validators=[Optional()] if column.nullable else [DataRequired()],
            )
    return fields
