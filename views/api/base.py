"""What every register resource of the REST API shares: RegisterApi (scope, declared schemas,
pages, `?q=` checks, related choices, versioned writes) and the helpers that turn a request
into a domain call and a DomainError into its answer.

Every answer to bad input is a 4xx with a message in the client's language: a body that is not
JSON or not an object, wrong types, unknown fields or enumeration values (400, per field), an
id that cannot exist (404), a page size above MAX_PAGE_SIZE (400)."""

import marshmallow
from flask import current_app, request
from flask_appbuilder import ModelRestApi
from flask_appbuilder.const import API_FILTERS_RIS_KEY
from flask_appbuilder.exceptions import InvalidColumnArgsFABException
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict, DomainError, ValidationError
from app.extensions import db
from app.register import households
from app.security.scope import region_column, region_filter
from views.api import schemas

READ_ONLY = {"get", "get_list", "info"}
#: Filter operators that take a list of values (?q=(filters:!((col:…,opr:in,value:!(…)))).
LIST_OPERATORS = {"in", "not_in"}
PLAIN_VALUES = (str, int, float, bool, type(None))
#: Ids are 32-bit integers in every table; a larger number cannot name a row (and PostgreSQL
#: would refuse to compare it), so it is simply not found.
LARGEST_ID = 2**31 - 1
LARGEST_PAGE = 10**6


class InvalidBody(ValidationError):
    """The body does not fit the resource's schema: messages per field."""

    def __init__(self, errors: dict):
        super().__init__(gettext("The request has invalid fields."))
        self.errors = errors


def record_id(pk) -> int | None:
    try:
        number = int(str(pk))
    except ValueError:
        return None
    return number if 1 <= number <= LARGEST_ID else None


def json_body() -> dict:
    """The request's JSON object, or a clear 400."""
    if not request.is_json:
        raise ValidationError(gettext("Send the body as JSON (Content-Type: application/json)."))
    body = request.get_json(silent=True)
    if body is None:
        raise ValidationError(gettext("The body is not valid JSON."))
    if not isinstance(body, dict):
        raise ValidationError(gettext("The body must be a JSON object."))
    return body


def load(schema: marshmallow.Schema, body: dict, partial: bool = False) -> dict:
    try:
        return schema.load(body, partial=partial)
    except marshmallow.ValidationError as error:
        raise InvalidBody(schemas.translated(error.messages)) from None


def answer_domain_errors(api, method, *args, **kwargs):
    """Flask-AppBuilder answers any exception from a hook with 500; a broken rule is the
    client's error, so it gets the rule's status (400, 403, 404, 409) and nothing is written."""
    try:
        return method(*args, **kwargs)
    except DomainError as error:
        db.session.rollback()
        body = {"message": error.message}
        if error.field:
            body["field"] = error.field
        if isinstance(error, InvalidBody):
            body["errors"] = error.errors
        elif isinstance(error, households.InvalidRecord):
            body["errors"] = _by_field(error.problems.errors)
        return api.response(error.status, **body)
    except StaleDataError:
        db.session.rollback()
        return api.response(
            409,
            message=gettext(
                "The record was changed by someone else meanwhile. Read it again and resend your "
                "change."
            ),
        )


def _by_field(errors: list[tuple[str, str]]) -> dict:
    result: dict[str, list[str]] = {}
    for field_name, message in errors:
        result.setdefault(field_name, []).append(message)
    return result


def may(permission: str, view: str) -> bool:
    return current_app.appbuilder.sm.has_access(permission, view)


class RegisterApi(ModelRestApi):
    allow_browser_login = True
    include_route_methods = READ_ONLY
    page_size = 25
    max_page_size = 100

    def __init__(self):
        # The declared schemas are the columns: one list, not two to keep in step.
        for columns, schema in (
            ("list_columns", self.list_model_schema),
            ("show_columns", self.show_model_schema),
            ("add_columns", self.add_model_schema),
            ("edit_columns", self.edit_model_schema),
        ):
            if schema is not None and not getattr(self, columns):
                setattr(self, columns, list(schema.declared_fields))
        super().__init__()
        # `_info` describes the add and edit columns only of a resource written here (Flask-
        # AppBuilder filled them in from the model's columns and relationships).
        if "post" not in self.include_route_methods:
            self.add_columns = []
        if "put" not in self.include_route_methods:
            self.edit_columns = []

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        self.model2schemaconverter = DeclaredColumns(self)  # the model's schemas are built by now
        return blueprint

    def _handle_columns_args(self, args, default_select_columns, default_response_columns):
        """`?q=(columns:…)` names columns of the declared schema; any other name is refused
        rather than silently dropped."""
        requested = args.get("columns") or args.get("select_columns") or []
        if not set(requested) <= set(default_response_columns):
            raise InvalidColumnArgsFABException(
                gettext(
                    "Choose columns among: %(possible)s.",
                    possible=", ".join(default_response_columns),
                )
            )
        return super()._handle_columns_args(args, default_select_columns, default_response_columns)

    def _answer(self, method, *args, **kwargs):
        return answer_domain_errors(self, method, *args, **kwargs)

    # --- metadata (_info) -------------------------------------------------------------------
    def _get_list_related_field(self, field, filter_rel_field, page=None, page_size=None):
        """Flask-AppBuilder lists a related field's choices from the model without any base
        filter: the whole country's households, names and KK numbers to anyone who may read
        one region. Choices are scoped like the rows, whatever the field."""
        related = self.datamodel.get_related_interface(field.name)
        column = region_column(related.obj)
        if column is not None:
            filter_rel_field = [*filter_rel_field, *region_filter(column)]
        return super()._get_list_related_field(field, filter_rel_field, page, page_size)

    def _handle_filters_args(self, rison_args):
        """A filter's value is one plain value (a list only for `in`): anything else would reach
        the database as a type it cannot compare."""
        for item in rison_args.get(API_FILTERS_RIS_KEY, []) or []:
            value = item.get("value") if isinstance(item, dict) else None
            values = (
                value if isinstance(value, list) and item.get("opr") in LIST_OPERATORS else [value]
            )
            if not all(isinstance(one, PLAIN_VALUES) for one in values):
                raise InvalidColumnArgsFABException(
                    gettext(
                        "The value of filter %(column)s must be a single text or number.",
                        column=str(item.get("col"))[:40],
                    )
                )
        return super()._handle_filters_args(rison_args)

    # --- reads ------------------------------------------------------------------------------
    def get_headless(self, pk, **kwargs):
        if record_id(pk) is None:
            return self.response_404()
        return self._answer(super().get_headless, pk, **kwargs)

    def get_list_headless(self, **kwargs):
        return self._answer(super().get_list_headless, **kwargs)

    def _handle_page_args(self, rison_args):
        """A page size above the cap is refused with the cap in the message, not silently
        shortened: a client paging through the register must not miss rows."""
        largest = min(self.max_page_size, current_app.config.get("MAX_PAGE_SIZE", 100))
        page_size = rison_args.get("page_size")
        if page_size is not None and not 1 <= page_size <= largest:
            raise ValidationError(
                gettext("Page size must be between 1 and %(largest)d.", largest=largest),
                "page_size",
            )
        page = rison_args.get("page")
        if page is not None and not 0 <= page <= LARGEST_PAGE:
            raise ValidationError(
                gettext("Page must be between 0 and %(largest)d.", largest=LARGEST_PAGE), "page"
            )
        return super()._handle_page_args(rison_args)

    # --- writes -----------------------------------------------------------------------------
    def put_headless(self, pk):
        return self._answer(self._put, pk)

    def _put(self, pk):
        number = record_id(pk)
        item = self.datamodel.get(number, self._base_filters) if number else None
        if item is None:
            return self.response_404()
        changes = load(self.edit_model_schema, json_body(), partial=True)
        if "version" not in changes:
            raise ValidationError(
                gettext("Send the record's current version with every change."), "version"
            )
        check_version(item, changes.pop("version"))
        current = {
            name: getattr(item, name)
            for name in self.edit_model_schema.declared_fields
            if name != "version"
        }
        self.apply_changes(item, changes, {**current, **changes})
        db.session.commit()
        return self.response(200, id=item.id, result=self.show_model_schema.dump(item))

    def apply_changes(self, item, changes: dict, data: dict) -> None:
        """Check and make `changes`; `data`: the record's writable fields after them."""
        raise NotImplementedError

    def post_headless(self):
        return self._answer(self._post)

    def _post(self):
        raise NotImplementedError

    def delete_headless(self, pk):
        if record_id(pk) is None:
            return self.response_404()
        return self._answer(super().delete_headless, pk)

    def created(self, item, warnings: list[str]):
        db.session.commit()
        return self.response(
            201, id=item.id, result=self.show_model_schema.dump(item), warnings=warnings
        )


class DeclaredColumns:
    """Stands in for Flask-AppBuilder's model-to-schema converter after start-up: a reply cut
    to some columns (`?q=(columns:…)`) is the declared schema restricted to them, so enumerations
    still travel by code name, not by a schema made from the model."""

    def __init__(self, api: RegisterApi):
        self.api = api

    def convert(self, columns: list[str]) -> marshmallow.Schema:
        """Only called with columns RegisterApi._handle_columns_args let through: all of the
        list's or all of the record's declared columns."""
        schema = self.api.list_model_schema
        if not set(columns) <= set(schema.fields):
            schema = self.api.show_model_schema
        return type(schema)(only=columns)


def check_version(item, submitted: int) -> None:
    """An update names the version it was based on; a stale one is a conflict (409)."""
    if submitted != item.version:
        raise Conflict(
            gettext(
                "Version %(sent)s is stale: the record is at version %(current)s. Read it again "
                "and resend your change.",
                sent=submitted,
                current=item.version,
            )
        )
