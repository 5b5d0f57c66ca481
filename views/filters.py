"""Search filters that are not plain column comparisons: region prefix, NIK, KK, name,
program, birth year. Each is a correlated EXISTS, a comparison of the listed row itself or an
index-backed prefix, never a load of a table.

A filter narrows the rows the list shows — the user's region, by the view's base filters — so
a number that exists only outside that region finds nothing, exactly as one that exists
nowhere. Whole NIK and KK numbers searched by masked viewers (app.security.privacy) are counted once
per request against their quota and audited (app.security.lookups): such a search is the one
question a masked viewer may ask of the hidden digits."""

import datetime

import sqlalchemy as sa
from flask import abort, g, request
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext

from app.register.identity import SIXTEEN_DIGITS, clean_number
from app.security import lookups, privacy
from app.security.scope import scope_clause
from models import Family, Household, Member, Program, ProgramMembership


def _household_id(model):
    return model.id if model is Household else model.household_id


def _listed_or_housemate(model, related, *conditions):
    """The listed rows that are a `related` row meeting `conditions` (when the list is of
    `related` itself), or that belong to a household holding one (a correlated EXISTS)."""
    if model is related:
        return sa.and_(*conditions)
    return sa.exists().where(related.household_id == _household_id(model), *conditions)


# -- masked viewers' searches by whole numbers ----------------------------------------------------
def _found_in_region(column, join_column):
    """How many of some numbers exist within the signed-in user's region."""

    def found(values: list[str]) -> int:
        from app.extensions import db

        return db.session.scalar(
            sa.select(sa.func.count(sa.distinct(column)))
            .join(Household, Household.id == join_column)
            .where(column.in_(values), scope_clause(Household.village_code))
        )

    return found


FOUND = {
    "nik": _found_in_region(Member.nik, Member.household_id),
    "kk_number": _found_in_region(Family.kk_number, Family.household_id),
}


def count_search(number_kind: str, values, door: str) -> None:
    """A masked viewer's search by whole NIK (`number_kind` "nik") or KK numbers ("kk_number"),
    counted once per request whichever queries apply it (a list page counts and reads).
    Raises app.security.lookups.LookupRefused when the quota is used up or the viewer suspended."""
    if privacy.sees_full_nik():
        return
    searched = g.setdefault("lookups_searched", set())
    wanted = {clean_number(value) for value in values}
    new = sorted(
        value
        for value in wanted
        if SIXTEEN_DIGITS.fullmatch(value) and (number_kind, value) not in searched
    )
    if not new:
        return
    lookups.search(number_kind, new, FOUND[number_kind], door)
    searched.update((number_kind, value) for value in new)


def _counted_in_console(number_kind: str, value: str) -> None:
    try:
        count_search(number_kind, [value], request.endpoint or "console")
    except lookups.LookupRefused as error:
        # The list page's own error page, in the user's language (views.errors).
        abort(403, description=error.message)


class FilterInRegion(BaseFilter):
    """Records of households (or, for a model with its own village, of villages) in a
    province, regency, district or village (by code prefix)."""

    name = lazy_gettext("Within")
    arg_name = "region"

    def apply(self, query, value):
        code = (value or "").strip()
        if not code:
            return query
        village = Household.village_code
        if self.model is not Household and hasattr(self.model, "village_code"):
            return query.filter(scope_clause(self.model.village_code, code))
        if self.model is not Household:
            household_ids = sa.select(Household.id).where(scope_clause(village, code))
            return query.filter(self.model.household_id.in_(household_ids))
        return query.filter(scope_clause(village, code))


class FilterMemberNik(BaseFilter):
    """The member with this NIK (a members list), or the households with such a member."""

    name = lazy_gettext("Equal to")
    arg_name = "nik"

    def apply(self, query, value):
        nik = clean_number(value)
        if not nik:
            return query
        _counted_in_console("nik", nik)
        return query.filter(_listed_or_housemate(self.model, Member, Member.nik == nik))


class FilterFamilyKk(BaseFilter):
    """The family with this KK number (a families list), or the households with it."""

    name = lazy_gettext("Equal to")
    arg_name = "kk"

    def apply(self, query, value):
        kk = clean_number(value)
        if not kk:
            return query
        _counted_in_console("kk_number", kk)
        return query.filter(_listed_or_housemate(self.model, Family, Family.kk_number == kk))


class FilterMemberName(BaseFilter):
    name = lazy_gettext("Contains")
    arg_name = "name"

    def apply(self, query, value):
        text = (value or "").strip()
        if not text:
            return query
        return query.filter(
            _listed_or_housemate(
                self.model, Member, Member.full_name.icontains(text, autoescape=True)
            )
        )


class FilterBirthYear(BaseFilter):
    """Members born in a year: the birth-date search every viewer gets, and the only one masked
    viewers could be given (app.security.privacy shows them the year); Flask-AppBuilder's date
    comparisons would find a birth date in a few halvings."""

    name = lazy_gettext("Year")
    arg_name = "year"

    def apply(self, query, value):
        text = (value or "").strip()
        if not text:
            return query
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 9998):
            return query.filter(sa.false())
        year = int(text)
        return query.filter(
            Member.birth_date >= datetime.date(year, 1, 1),
            Member.birth_date < datetime.date(year + 1, 1, 1),
        )


class FilterProgram(BaseFilter):
    name = lazy_gettext("Member of")
    arg_name = "program"

    def apply(self, query, value):
        code = (value or "").strip()
        if not code:
            return query
        return query.filter(
            sa.exists().where(
                ProgramMembership.household_id == _household_id(self.model),
                ProgramMembership.program_id == Program.id,
                Program.code == code,
            )
        )
