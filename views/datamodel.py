from flask import current_app
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app import statistics
from app.caching import reuse_cache

#: Pager counts kept for reuse, per process: (database, SQL, parameters) -> (seconds, count).
_COUNTS = reuse_cache(maxsize=5000)


class RegisterInterface(SQLAInterface):
    """SQLAInterface that loads the relationships a list shows with a fixed number of
    queries (selectin/joined options), whatever the page size; and that, on PostgreSQL, answers
    the pager's count of an unfiltered national list from the planner's estimate instead of
    counting every row (LIST_COUNT_ESTIMATE_ABOVE rows and more; 0 turns it off).

    A count of LIST_COUNT_REUSE_ABOVE rows or more (a regency's thousands of households) is
    reused for LIST_COUNT_REUSE_SECONDS by the same query with the same parameters (so per
    scope and filter), in the worker that counted it: paging through a long list does not
    recount it on every page. Smaller counts — a search by NIK or name — are always exact;
    the rows themselves are always read live."""

    def __init__(self, obj, eager=(), session=None):
        super().__init__(obj, session)
        self.eager = tuple(eager)

    def apply_all(self, query, *args, **kwargs):
        if self.eager:
            query = query.options(*self.eager)
        return super().apply_all(query, *args, **kwargs)

    def query_count(self, query, filters=None, select_columns=None) -> int:
        threshold = current_app.config["LIST_COUNT_ESTIMATE_ABOVE"]
        if threshold and self._unrestricted(filters):
            estimate = statistics.estimated_rows(self.obj.__table__.name, self.session)
            if estimate is not None and estimate >= threshold:
                return estimate
        seconds = current_app.config["LIST_COUNT_REUSE_SECONDS"]
        if not seconds:
            return super().query_count(query, filters, select_columns)
        counted = self._apply_inner_all(
            query, filters, select_columns=select_columns, aliases_mapping={}
        )
        compiled = counted.statement.compile(dialect=self.session.get_bind().dialect)
        key = (
            str(self.session.get_bind().url),
            str(compiled),
            tuple(sorted((name, repr(value)) for name, value in compiled.params.items())),
        )
        found = _COUNTS.get(key)
        if found is not None:
            return found[1]
        count = counted.count()
        if count >= current_app.config["LIST_COUNT_REUSE_ABOVE"]:
            _COUNTS[key] = (seconds, count)
        return count

    @staticmethod
    def _unrestricted(filters) -> bool:
        """No filter but the user's region, and that region is the whole country."""
        from app.security.scope import InUserRegion, current_scope

        applied = list(getattr(filters, "filters", None) or [])
        return all(isinstance(flt, InUserRegion) for flt in applied) and current_scope() == ""
