from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext
from markupsafe import Markup, escape
from wtforms import TextAreaField
from wtforms.validators import Optional as OptionalValue

from app.errors import ValidationError
from app.ranking import eligibility
from app.register.households import InvalidRecord, Problems
from models import Program
from views import labels
from views.base import RegisterModelView


def _rule_in_words(rule_text) -> Markup:
    try:
        return Markup(escape(eligibility.describe(eligibility.parse(rule_text))))
    except ValidationError as error:  # stored before the rules were checked
        return Markup(escape(error.message))


class ProgramView(RegisterModelView):
    route_base = "/programs"
    datamodel = SQLAInterface(Program)
    list_title = lazy_gettext("Assistance programs")
    show_title = lazy_gettext("Assistance program")
    add_title = lazy_gettext("Add assistance program")
    edit_title = lazy_gettext("Edit assistance program")
    list_columns = ["code", "name", "target_level", "eligibility"]
    add_columns = ["code", "name", "target_level", "description", "eligibility"]
    edit_columns = add_columns
    show_columns = add_columns
    label_columns = {**labels.PROGRAM, "eligibility": labels.PROGRAM["rule"]}
    formatters_columns = {"eligibility": _rule_in_words}
    add_form_extra_fields = {
        "eligibility": TextAreaField(
            labels.PROGRAM["eligibility"],
            validators=[OptionalValue()],
            widget=BS3TextAreaFieldWidget(),
            description=lazy_gettext(
                'JSON, e.g. {"deciles": [1, 4], "members_any": [{"age": [6, 21], '
                '"school_attendance": ["ATTENDING"]}]} (README, "Welfare ranking").'
            ),
        )
    }
    edit_form_extra_fields = add_form_extra_fields

    def check_form(self, form, adding):
        try:
            eligibility.parse(form.eligibility.data)
        except ValidationError as error:
            problems = Problems()
            problems.error("eligibility", error.message)
            raise InvalidRecord(problems) from None
        return []

    def pre_add(self, item):
        item.eligibility = eligibility.normalised(item.eligibility)

    def pre_update(self, item):
        super().pre_update(item)
        item.eligibility = eligibility.normalised(item.eligibility)
