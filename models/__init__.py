"""The register's models. All tables live on Flask-AppBuilder's metadata (Alembic's target)."""

from flask_appbuilder import Model

Model.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

import flask_appbuilder.security.sqla.models  # noqa: E402,F401  (users, roles: same metadata)

from models.audit import AuditEntry  # noqa: E402
from models.certificates import Certificate, ReportFile  # noqa: E402,F401
from models.complaints import Complaint, ComplaintPhoto, PublicLookupCount  # noqa: E402
from models.duplicates import DuplicateCandidate, DuplicateKey  # noqa: E402
from models.households import Family, Household, Member  # noqa: E402
from models.jobs import CloseSchedule, JobRun  # noqa: E402
from models.lookups import LookupCount  # noqa: E402
from models.offices import Office  # noqa: E402,F401
from models.periods import Period  # noqa: E402
from models.programs import Program, ProgramMembership  # noqa: E402
from models.proposals import Proposal  # noqa: E402
from models.ranking import (  # noqa: E402
    Deliberation,
    PeriodDecileCutoff,
    PeriodSnapshotEligibility,
    PmtIntercept,
    PmtModel,
    PmtWeight,
)
from models.regions import Region  # noqa: E402
from models.snapshots import (  # noqa: E402
    DistrictActivity,
    PeriodRecap,
    PeriodRecapProgram,
    PeriodSnapshot,
    PeriodSnapshotPeople,
    PeriodSnapshotProgram,
)
from models.users import ConsoleSession, RegionUser  # noqa: E402

metadata = Model.metadata

__all__ = [
    "Complaint",
    "ComplaintPhoto",
    "PublicLookupCount",
    "Deliberation",
    "PeriodDecileCutoff",
    "PeriodSnapshotEligibility",
    "PmtIntercept",
    "PmtModel",
    "PmtWeight",
    "DuplicateCandidate",
    "DuplicateKey",
    "AuditEntry",
    "Proposal",
    "PeriodSnapshot",
    "PeriodSnapshotPeople",
    "PeriodSnapshotProgram",
    "PeriodRecap",
    "PeriodRecapProgram",
    "DistrictActivity",
    "JobRun",
    "CloseSchedule",
    "ConsoleSession",
    "LookupCount",
    "RegionUser",
    "Region",
    "Household",
    "Family",
    "Member",
    "Program",
    "ProgramMembership",
    "Period",
    "metadata",
]


def include_in_dialect(dialect_name: str):
    """For Alembic's `include_object`: objects declared for one dialect only (Index.ddl_if)
    exist only in that dialect's databases."""

    def include_object(obj, _name, _type, reflected, _compare_to):
        condition = getattr(obj, "_ddl_if", None)
        if reflected or condition is None or not condition.dialect:
            return True
        return condition.dialect == dialect_name

    return include_object
