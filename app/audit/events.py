"""Every create, update and delete of register data, users and roles made through the ORM is
written to the audit trail by the flush that makes it, so in the same transaction.

Entries are written in `after_flush`: new rows have their ids and attribute history still tells
what changed. `before_flush` keeps what would otherwise be lost: the rows the database removes by
itself (ON DELETE CASCADE: a household's families, members and memberships), and old values of
columns that were set without having been loaded.

Not seen here, by design: bulk Core statements (the demo generator's inserts, `DELETE FROM …`,
`session.execute(update(...))`). Code that changes register data that way records it itself with
`app.audit.record`.
"""

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import object_mapper
from sqlalchemy.orm.util import identity_key

from app import audit

#: Columns that change on every save or sign-in without being data anyone edited. Sign-ins and
#: lockouts (locked_until) are audited by app.security.signin as login_* entries; token_epoch
#: follows a password change (audited as password_changed), a lockout or a deactivation.
BOOKKEEPING = frozenset(
    {
        "updated_at",
        "version",
        "changed_on",
        "changed_by_fk",
        "last_login",
        "login_count",
        "fail_login_count",
        "locked_until",
        "token_epoch",
    }
)
_CASCADED = "audit_cascaded_rows"
_OLD_VALUES = "audit_old_values"


@dataclass(frozen=True)
class Audited:
    entity: str
    #: Relationships kept as sorted lists of names (a user's roles, a role's permissions).
    collections: tuple[str, ...] = ()


@cache
def _audited() -> dict:
    from flask_appbuilder.security.sqla.models import Group, Role, User

    from models import (
        CloseSchedule,
        Complaint,
        Family,
        Household,
        Member,
        Office,
        Period,
        Program,
        ProgramMembership,
        Proposal,
    )

    return {
        Household: Audited("household"),
        Family: Audited("family"),
        Member: Audited("member"),
        ProgramMembership: Audited("membership"),
        Proposal: Audited("proposal"),
        Period: Audited("period"),
        CloseSchedule: Audited("close_schedule"),
        Program: Audited("program"),
        Office: Audited("office"),
        Complaint: Audited("complaint"),
        User: Audited("user", ("roles", "groups")),
        Role: Audited("role", ("permissions",)),
        Group: Audited("group", ("roles",)),
    }


@cache
def _audited_class(cls) -> Audited | None:
    for base in cls.__mro__:
        if base in _audited():
            return _audited()[base]
    return None


def audited(obj) -> Audited | None:
    return _audited_class(type(obj))


def entity_name(cls) -> str:
    """The audit trail's name for a model ("household", "member", …), else its table's."""
    spec = _audited_class(cls)
    return spec.entity if spec else cls.__tablename__


@cache
def _entity_of_table(table) -> str | None:
    for cls, spec in _audited().items():
        if sa.inspect(cls).local_table is table:
            return spec.entity
    return None


@cache
def _cascading_children(table) -> tuple:
    """(child table, foreign-key column) for audited tables whose rows the database deletes
    with a row of `table`."""
    found = []
    for cls in _audited():
        child = sa.inspect(cls).local_table
        for foreign_key in child.foreign_keys:
            cascades = (foreign_key.ondelete or "").upper() == "CASCADE"
            if cascades and foreign_key.column.table is table:
                found.append((child, foreign_key.parent))
    return tuple(found)


def install(db) -> None:
    """Listen to the flushes of the application's session (idempotent)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


# -- before the flush: what the flush would make unreadable --------------------------------
def _before_flush(session, _flush_context, _instances) -> None:
    session.info.pop(_CASCADED, None)
    session.info.pop(_OLD_VALUES, None)
    deleted = [obj for obj in session.deleted if audited(obj)]
    for obj in deleted:
        _load(obj)
    if deleted:
        session.info[_CASCADED] = _cascaded_rows(session, deleted)
    old_values = {}
    for obj in session.dirty:  # (without the deleted ones)
        if audited(obj):
            values = _unloaded_old_values(session, obj)
            if values:
                old_values[id(obj)] = values
    if old_values:
        session.info[_OLD_VALUES] = old_values


def _load(obj) -> None:
    """A deleted row's columns and collections, read while the row still exists."""
    state = sa.inspect(obj)
    try:
        expired = [key for key in state.expired_attributes if key in state.mapper.column_attrs]
        if expired:
            getattr(obj, expired[0])  # loads every expired column in one query
        for name in audited(obj).collections:
            getattr(obj, name)
    except sa.exc.InvalidRequestError:  # already gone from the database
        pass


def _cascaded_rows(session, deleted) -> list[tuple]:
    """Rows of audited tables that ON DELETE CASCADE removes with the deleted objects."""
    connection = session.connection()
    frontier: dict = {}
    seen: set = set()
    for obj in deleted:
        mapper = object_mapper(obj)
        if len(mapper.primary_key) != 1:
            continue
        identity = sa.inspect(obj).identity
        if identity:
            frontier.setdefault(mapper.local_table, set()).add(identity[0])
            seen.add((mapper.local_table, identity[0]))
    rows = []
    while frontier:
        following: dict = {}
        for table, ids in frontier.items():
            for child, column in _cascading_children(table):
                (primary_key,) = child.primary_key.columns
                for row in connection.execute(sa.select(child).where(column.in_(sorted(ids)))):
                    values = row._asdict()
                    key = (child, values[primary_key.name])
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append((child, values))
                    following.setdefault(child, set()).add(values[primary_key.name])
        frontier = following
    return rows


def _unloaded_old_values(session, obj) -> dict:
    """Old values of columns assigned without having been loaded (their history has no
    'before'): read from the database, which the flush has not changed yet."""
    state = sa.inspect(obj)
    if not state.has_identity:
        return {}
    mapper = state.mapper
    keys = []
    for prop in mapper.column_attrs:
        if prop.key in BOOKKEEPING:
            continue
        history = state.attrs[prop.key].history
        if history.added and not history.deleted:
            keys.append(prop.key)
    if not keys:
        return {}
    columns = [mapper.column_attrs[key].columns[0] for key in keys]
    condition = sa.and_(
        *(column == value for column, value in zip(mapper.primary_key, state.identity, strict=True))
    )
    row = session.connection().execute(sa.select(*columns).where(condition)).first()
    return dict(zip(keys, row, strict=True)) if row is not None else {}


# -- after the flush: write the entries -----------------------------------------------------
def _after_flush(session, flush_context) -> None:
    cascaded = session.info.pop(_CASCADED, [])
    old_values = session.info.pop(_OLD_VALUES, {})
    new = session.new
    changes = []
    for state, (is_delete, list_only) in list(flush_context.states.items()):
        obj = state.obj()
        if list_only or obj is None or audited(obj) is None:
            continue
        action = "delete" if is_delete else "create" if obj in new else "update"
        changes.append((obj, action))
    if not changes and not cascaded:
        return
    villages = _Villages(session, [obj for obj, _action in changes], cascaded)
    records, recorded = [], set()
    for obj, action in changes:
        values = _change(obj, action, old_values.get(id(obj), {}))
        if action == "update" and _password_changed(obj):
            # Its masked before and after are equal: the change gets an entry of its own.
            records.append(
                (
                    "password_changed",
                    "user",
                    _primary_key(obj),
                    _region(obj, villages),
                    None,
                    {"username": sa.inspect(obj).dict.get("username")},
                )
            )
        if values is None:
            continue
        entity, entity_id = audited(obj).entity, _primary_key(obj)
        recorded.add((entity, str(entity_id)))
        records.append((action, entity, entity_id, _region(obj, villages), *values))
    for table, row in cascaded:
        entity = _entity_of_table(table)
        (primary_key,) = table.primary_key.columns
        entity_id = row[primary_key.name]
        if (entity, str(entity_id)) in recorded:
            continue
        before = {key: audit.masked(key, value) for key, value in row.items()}
        records.append(
            ("delete", entity, entity_id, villages.get(row.get("household_id")), before, None)
        )
    if records:
        who = audit.actor()  # asked only now: a sign-in's own bookkeeping flush records nothing
        audit.record_many(
            [audit.entry(*values, who=who) for values in records], connection=session.connection()
        )


def _change(obj, action: str, old_values: dict):
    """(before, after) of a change, or None when nothing worth recording changed."""
    state = sa.inspect(obj)
    spec = audited(obj)
    if action == "create":
        return None, _row(state, spec)
    if action == "delete":
        return _row(state, spec), None
    before, after = {}, {}
    for prop in state.mapper.column_attrs:
        key = prop.key
        if key in BOOKKEEPING:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else old_values.get(key)
        new = history.added[0] if history.added else None
        if old == new:
            continue
        before[key] = audit.masked(key, old)
        after[key] = audit.masked(key, new)
    for name in spec.collections:
        history = state.attrs[name].history
        if not (history.added or history.deleted):
            continue
        before[name] = _names([*history.unchanged, *history.deleted])
        after[name] = _names([*history.unchanged, *history.added])
    if before == after:
        return None
    return before, after


def _password_changed(obj) -> bool:
    """A user's password was set (never recorded: the entry says whose and who did it)."""
    state = sa.inspect(obj)
    if audited(obj).entity != "user" or "password" not in state.mapper.column_attrs:
        return False
    return state.attrs.password.history.has_changes()


def _row(state, spec: Audited) -> dict:
    """The whole row as loaded (server-side defaults not yet read are left out)."""
    values = {
        prop.key: audit.masked(prop.key, state.dict[prop.key])
        for prop in state.mapper.column_attrs
        if prop.key in state.dict
    }
    for name in spec.collections:
        if name in state.dict:
            values[name] = _names(state.dict[name] or [])
    return values


def _names(items) -> list[str]:
    return sorted(str(item) for item in items)


def _primary_key(obj):
    state = sa.inspect(obj)
    values = [
        state.dict.get(state.mapper.get_property_by_column(column).key)
        for column in state.mapper.primary_key
    ]
    return values[0] if len(values) == 1 else "/".join(str(value) for value in values)


def _region(obj, villages: "_Villages") -> str | None:
    from models import Household

    values = sa.inspect(obj).dict
    if isinstance(obj, Household):
        return values.get("village_code")
    if "household_id" in values:
        household = values.get("household")
        if isinstance(household, Household) and household.__dict__.get("village_code"):
            return household.__dict__["village_code"]
        return villages.get(values.get("household_id"))
    return values.get("region_code")


class _Villages:
    """Village code of a household id: from the flushed or loaded objects, else the database."""

    def __init__(self, session, objects, cascaded):
        from models import Household

        self.session = session
        self.known = {}
        for obj in objects:
            if isinstance(obj, Household):
                self._remember(obj)
        for table, row in cascaded:
            if table is Household.__table__:
                self.known[row["id"]] = row["village_code"]

    def _remember(self, household) -> None:
        values = household.__dict__
        if values.get("id") is not None and values.get("village_code"):
            self.known[values["id"]] = values["village_code"]

    def get(self, household_id) -> str | None:
        if household_id is None:
            return None
        if household_id not in self.known:
            from models import Household

            loaded = self.session.identity_map.get(identity_key(Household, household_id))
            if loaded is not None:
                self._remember(loaded)
        if household_id not in self.known:
            from models import Household

            self.known[household_id] = self.session.connection().scalar(
                sa.select(Household.village_code).where(Household.id == household_id)
            )
        return self.known[household_id]
