"""Form fields for categorical columns.

Flask-AppBuilder's EnumField raises a bare ValueError on an unknown choice, which WTForms 3
does not catch (a server error instead of a form error), and it cannot be left empty for a
nullable column. This field does both properly and shows the translated labels."""

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_babel import lazy_gettext
from wtforms import BooleanField, DecimalField, SelectField
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


def register_fields(datamodel, columns, labels) -> dict:
    """Fields Flask-AppBuilder would get wrong: a ChoiceField for every enumeration column,
    an optional checkbox for every yes/no column (unticked is a valid answer), and a decimal
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
        elif getattr(column.type, "scale", None):
            fields[name] = DecimalField(
                labels.get(name, name),
                places=column.type.scale,
                widget=BS3TextFieldWidget(),
                validators=[Optional()] if column.nullable else [DataRequired()],
            )
    return fields
