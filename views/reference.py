from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext

from models import Program
from views import labels
from views.base import RegisterModelView


class ProgramView(RegisterModelView):
    route_base = "/programs"
    datamodel = SQLAInterface(Program)
    list_title = lazy_gettext("Assistance programs")
    show_title = lazy_gettext("Assistance program")
    add_title = lazy_gettext("Add assistance program")
    edit_title = lazy_gettext("Edit assistance program")
    list_columns = ["code", "name", "target_level"]
    add_columns = ["code", "name", "target_level", "description"]
    edit_columns = add_columns
    show_columns = add_columns
    label_columns = labels.PROGRAM
