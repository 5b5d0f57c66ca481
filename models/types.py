"""Column types shared by the models."""

import enum
import re

import sqlalchemy as sa
from flask_babel import gettext

# Region codes are compared by prefix ("32.73." …). Under PostgreSQL's C collation such a
# filter is index-backed and sorts as the codes read, whatever locale the database has.
RegionCode = sa.String(13).with_variant(sa.String(13, collation="C"), "postgresql")


#: Characters that change how the text around them is drawn (bidirectional overrides and
#: isolates, which can make "1234" read as "4321" or one name pass for another) and other
#: invisible control characters: no name, address or note needs them.
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def visible(text: str) -> str:
    """`text` without invisible characters (INVISIBLE)."""
    return INVISIBLE.sub("", text)


class PlainString(sa.types.TypeDecorator):
    """A text column stored without invisible characters, whichever door writes it (form,
    API, proposal, CLI) and in searches of it alike."""

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return visible(value) if isinstance(value, str) else value


class PlainText(PlainString):
    """PlainString for long text (notes, reasons, descriptions)."""

    impl = sa.Text
    cache_ok = True


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
