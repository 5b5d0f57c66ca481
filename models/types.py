"""Column types shared by the models."""
import enum

import sqlalchemy as sa
from flask_babel import gettext

# Region codes are compared by prefix ("32.73." …). Under PostgreSQL's C collation such a
# filter is index-backed and sorts as the codes read, whatever locale the database has.
RegionCode = sa.String(13).with_variant(sa.String(13, collation="C"), "postgresql")


class Label(str):
    """An enumeration label: the English message id, shown in the user's language."""

    def __str__(self) -> str:
        return str(gettext(str.__str__(self)))


class Choice(enum.Enum):
    """A categorical value. The database stores the member name; people see its label."""

    def __str__(self) -> str:
        return str(self.value)

    @property
    def label(self) -> str:
        return str(self.value)

    @classmethod
    def column_type(cls) -> sa.Enum:
        length = max(len(name) for name in cls.__members__)
        return sa.Enum(
            cls,
            name=_snake(cls.__name__),
            native_enum=False,
            create_constraint=True,
            # Unknown strings simply match nothing in a filter; the CHECK constraint guards writes.
            validate_strings=False,
            length=max(length, 8),
        )


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
