from flask_appbuilder.models.sqla.interface import SQLAInterface


class RegisterInterface(SQLAInterface):
    """SQLAInterface that loads the relationships a list shows with a fixed number of
    queries (selectin/joined options), whatever the page size."""

    def __init__(self, obj, eager=(), session=None):
        super().__init__(obj, session)
        self.eager = tuple(eager)

    def apply_all(self, query, *args, **kwargs):
        if self.eager:
            query = query.options(*self.eager)
        return super().apply_all(query, *args, **kwargs)
