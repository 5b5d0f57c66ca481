import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import relationship

from models.enums import (
    BuildingTenure,
    ChronicIllness,
    CookingFuel,
    Disability,
    DrinkingWater,
    Education,
    EmploymentStatus,
    FloorType,
    HouseholdStatus,
    LandTenure,
    Lighting,
    MaritalStatus,
    MemberStatus,
    Occupation,
    Relationship,
    RoofType,
    SchoolAttendance,
    Sex,
    Toilet,
    WallType,
)
from models.types import PlainString, RegionCode

#: Assets asked on the national verification form, in its order.
ASSET_COLUMNS = (
    "has_gas_cylinder",
    "has_refrigerator",
    "has_air_conditioner",
    "has_water_heater",
    "has_landline",
    "has_television",
    "has_gold",
    "has_computer",
    "has_bicycle",
    "has_motorcycle",
    "has_car",
    "has_boat",
    "has_outboard_motor",
    "has_motorboat",
    "has_smartphone",
    "owns_land",
    "owns_other_house",
)


class Timestamped:
    created_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())
    updated_at = sa.Column(
        sa.DateTime, nullable=False, server_default=sa.func.now(), onupdate=sa.func.now()
    )
    # Incremented on every save; a form or API write carrying an older number is stale.
    version = sa.Column(sa.Integer, nullable=False, server_default="1", default=1)


class Household(Timestamped, Model):
    """A household (rumah tangga) living in one village."""

    __tablename__ = "household"
    __table_args__ = (
        sa.CheckConstraint("welfare_decile BETWEEN 1 AND 10", name="decile_range"),
        sa.CheckConstraint(
            "floor_area_m2 IS NULL OR floor_area_m2 > 0", name="floor_area_positive"
        ),
        sa.Index("ix_household_village_status", "village_code", "status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    register_id = sa.Column(sa.String(20), nullable=False, unique=True)
    village_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=False)
    address = sa.Column(PlainString(255), nullable=False)
    rt = sa.Column(PlainString(3))
    rw = sa.Column(PlainString(3))
    latitude = sa.Column(sa.Numeric(9, 6))
    longitude = sa.Column(sa.Numeric(9, 6))

    building_tenure = sa.Column(BuildingTenure.column_type())
    land_tenure = sa.Column(LandTenure.column_type())
    floor_area_m2 = sa.Column(sa.Integer)
    floor_type = sa.Column(FloorType.column_type())
    wall_type = sa.Column(WallType.column_type())
    roof_type = sa.Column(RoofType.column_type())
    drinking_water = sa.Column(DrinkingWater.column_type())
    lighting = sa.Column(Lighting.column_type())
    cooking_fuel = sa.Column(CookingFuel.column_type())
    toilet = sa.Column(Toilet.column_type())

    has_gas_cylinder = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    has_refrigerator = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    has_air_conditioner = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    has_water_heater = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    has_landline = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_television = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_gold = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_computer = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_bicycle = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_motorcycle = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_car = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_boat = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_outboard_motor = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    has_motorboat = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    has_smartphone = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    owns_land = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    owns_other_house = sa.Column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )

    #: The decile of the last close (derived: the PMT ranking, or the village deliberation's).
    welfare_decile = sa.Column(sa.SmallInteger, index=True)
    #: The decile typed in before the ranking existed, kept for comparison.
    previous_decile = sa.Column(sa.SmallInteger)
    status = sa.Column(
        HouseholdStatus.column_type(), nullable=False, default=HouseholdStatus.ACTIVE, index=True
    )

    village = relationship("Region", lazy="joined", innerjoin=True)
    families = relationship(
        "Family",
        back_populates="household",
        order_by="Family.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    members = relationship(
        "Member",
        back_populates="household",
        order_by="Member.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    memberships = relationship(
        "ProgramMembership",
        back_populates="household",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    head = relationship(
        "Member",
        primaryjoin="and_(Member.household_id == Household.id, Member.relation_to_head == 'HEAD')",
        uselist=False,
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": Timestamped.version}

    def __repr__(self) -> str:
        return self.register_id or ""

    __str__ = __repr__


class Family(Timestamped, Model):
    """A family (keluarga) with its family card number (KK)."""

    __tablename__ = "family"
    __table_args__ = (sa.CheckConstraint("length(kk_number) = 16", name="kk_length"),)

    id = sa.Column(sa.Integer, primary_key=True)
    kk_number = sa.Column(sa.String(16), nullable=False, unique=True)
    household_id = sa.Column(
        sa.Integer, sa.ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True
    )

    household = relationship("Household", back_populates="families")
    members = relationship(
        "Member", back_populates="family", order_by="Member.id", passive_deletes=True
    )
    memberships = relationship("ProgramMembership", back_populates="family", passive_deletes=True)

    __mapper_args__ = {"version_id_col": Timestamped.version}

    def __repr__(self) -> str:
        return self.kk_number or ""

    __str__ = __repr__


class Member(Timestamped, Model):
    """A household member (anggota rumah tangga), identified by NIK."""

    __tablename__ = "member"
    __table_args__ = (
        sa.CheckConstraint("length(nik) = 16", name="nik_length"),
        # One NIK belongs to one living (or proposed) person; deceased, moved and duplicate
        # rows keep theirs.
        sa.Index(
            "uq_member_nik_living",
            "nik",
            unique=True,
            postgresql_where=sa.text("status IN ('ACTIVE', 'PROPOSED')"),
            sqlite_where=sa.text("status IN ('ACTIVE', 'PROPOSED')"),
        ),
        sa.Index(
            "uq_member_household_head",
            "household_id",
            unique=True,
            postgresql_where=sa.text("relation_to_head = 'HEAD'"),
            sqlite_where=sa.text("relation_to_head = 'HEAD'"),
        ),
        sa.Index("ix_member_nik", "nik"),
        # Name search is "contains": a trigram index serves it on PostgreSQL.
        sa.Index(
            "ix_member_full_name_trgm",
            "full_name",
            postgresql_using="gin",
            postgresql_ops={"full_name": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    nik = sa.Column(sa.String(16), nullable=False)
    full_name = sa.Column(PlainString(100), nullable=False, index=True)
    family_id = sa.Column(
        sa.Integer, sa.ForeignKey("family.id", ondelete="CASCADE"), nullable=False, index=True
    )
    household_id = sa.Column(
        sa.Integer, sa.ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True
    )
    relation_to_head = sa.Column(Relationship.column_type(), nullable=False)
    sex = sa.Column(Sex.column_type(), nullable=False)
    birth_place = sa.Column(PlainString(60))
    birth_date = sa.Column(sa.Date, nullable=False)
    marital_status = sa.Column(MaritalStatus.column_type())
    education = sa.Column(Education.column_type())
    school_attendance = sa.Column(SchoolAttendance.column_type())
    occupation = sa.Column(Occupation.column_type())
    employment_status = sa.Column(EmploymentStatus.column_type())
    disability = sa.Column(Disability.column_type(), nullable=False, default=Disability.NONE)
    chronic_illness = sa.Column(
        ChronicIllness.column_type(), nullable=False, default=ChronicIllness.NONE
    )
    status = sa.Column(
        MemberStatus.column_type(), nullable=False, default=MemberStatus.ACTIVE, index=True
    )

    family = relationship("Family", back_populates="members")
    household = relationship("Household", back_populates="members")
    memberships = relationship("ProgramMembership", back_populates="member", passive_deletes=True)

    __mapper_args__ = {"version_id_col": Timestamped.version}

    def __repr__(self) -> str:
        return self.full_name or ""

    __str__ = __repr__
