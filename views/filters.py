"""Search filters that are not plain column comparisons: region prefix, NIK, KK, name,
program. Each is a correlated EXISTS or an index-backed prefix, never a load of a table."""
import sqlalchemy as sa
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext

from app.identity import clean_number
from models import Family, Household, Member, Program, ProgramMembership
from app.scope import scope_clause


def _household_id(model):
    return model.id if model is Household else model.household_id


class FilterInRegion(BaseFilter):
    """Households in a province, regency, district or village (by code prefix)."""

    name = lazy_gettext("Within")
    arg_name = "region"

    def apply(self, query, value):
        code = (value or "").strip()
        if not code:
            return query
        village = Household.village_code
        if self.model is not Household:
            household_ids = sa.select(Household.id).where(scope_clause(village, code))
            return query.filter(self.model.household_id.in_(household_ids))
        return query.filter(scope_clause(village, code))


class FilterMemberNik(BaseFilter):
    name = lazy_gettext("Equal to")
    arg_name = "nik"

    def apply(self, query, value):
        nik = clean_number(value)
        if not nik:
            return query
        return query.filter(
            sa.exists().where(Member.household_id == _household_id(self.model), Member.nik == nik)
        )


class FilterFamilyKk(BaseFilter):
    name = lazy_gettext("Equal to")
    arg_name = "kk"

    def apply(self, query, value):
        kk = clean_number(value)
        if not kk:
            return query
        return query.filter(
            sa.exists().where(Family.household_id == _household_id(self.model), Family.kk_number == kk)
        )


class FilterMemberName(BaseFilter):
    name = lazy_gettext("Contains")
    arg_name = "name"

    def apply(self, query, value):
        text = (value or "").strip()
        if not text:
            return query
        return query.filter(
            sa.exists().where(
                Member.household_id == _household_id(self.model),
                Member.full_name.icontains(text, autoescape=True),
            )
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
