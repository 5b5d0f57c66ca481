import sqlalchemy as sa
from flask import current_app
from flask_appbuilder.models.sqla.interface import SQLAInterface


class RegisterInterface(SQLAInterface):
    """SQLAInterface that loads the relationships a list shows with a fixed number of
    queries (selectin/joined options), whatever the page size; and that, on PostgreSQL, answers
    the pager's count of an unfiltered national list from the planner's estimate instead of
    counting every row (LIST_COUNT_ESTIMATE_ABOVE rows and more; 0 turns it off)."""

    def __init__(self, obj, eager=(), session=None):
        super().__init__(obj, session)
        self.eager = tuple(eager)

    def apply_all(self, query, *args, **kwargs):
        if self.eager:
            query = query.options(*self.eager)
        return super().apply_all(query, *args, **kwargs)

    def query_count(self, query, filters=None, select_columns=None) -> int:
        if self._unrestricted(filters):
            estimate = self.estimated_rows()
            threshold = current_app.config.get("LIST_COUNT_ESTIMATE_ABOVE", 200_000)
            if threshold and estimate is not None and estimate >= threshold:
                return estimate
        return super().query_count(query, filters, select_columns)

    @staticmethod
    def _unrestricted(filters) -> bool:
        """No filter but the user's region, and that region is the whole country."""
        from app.scope import InUserRegion, current_scope

        applied = list(getattr(filters, "filters", None) or [])
        return all(isinstance(flt, InUserRegion) for flt in applied) and current_scope() == ""

    def estimated_rows(self) -> int | None:
        """The table's row count as the planner last measured it (ANALYZE, autovacuum)."""
        session = self.session
        if session.get_bind().dialect.name != "postgresql":
            return None
        rows = session.execute(sa.text("SELECT reltuples::bigint FROM pg_class "
                                       "WHERE oid = to_regclass(:table)"),
                               {"table": self.obj.__table__.name}).scalar()
        return rows if rows is not None and rows >= 0 else None
