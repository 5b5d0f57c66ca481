"""`/api/v1/duplicate/`: the duplicate candidates of the caller's region, read-only — two member
(or household) ids, the score, its level and reasons, and the review's status; never a name or a
number."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.duplicates import review
from models import DuplicateCandidate
from views.api import schemas
from views.api.base import RegisterApi
from views.duplicates import LABELS

COLUMNS = [
    "id",
    "first_id",
    "second_id",
    "first_household_id",
    "second_household_id",
    "score",
    "level",
    "reasons",
    "status",
    "regency_code",
    "other_regency_code",
    "found_at",
    "decided_at",
]


class DuplicateApi(RegisterApi):
    resource_name = "duplicate"
    datamodel = SQLAInterface(DuplicateCandidate)
    base_filters = review.BASE_FILTERS
    list_columns = COLUMNS
    show_columns = COLUMNS
    list_model_schema = schemas.DuplicateSchema()
    show_model_schema = schemas.DuplicateSchema()
    order_columns = ["id", "score", "found_at"]
    search_columns = ["level", "status"]
    label_columns = LABELS
