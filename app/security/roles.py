"""The roles of DESIGN §4 and what each may do, kept in code so `init` can recreate them."""

from dataclasses import dataclass, field

#: The role names of DESIGN §4; code elsewhere names a role through these.
ADMIN, PUSDATIN, PROVINSI, OPERATOR = "Admin", "Pusdatin", "Provinsi", "Operator"
VERIFIKATOR, PENGAWAS, INTERKONEKSI = "Verifikator", "Pengawas", "Interkoneksi"

READ = frozenset({"can_list", "can_show", "can_get", "can_info", "menu_access"})
WRITE = frozenset({"can_add", "can_edit", "can_delete", "can_post", "can_put"})

REGISTER_VIEWS = frozenset(
    {
        "HouseholdView",
        "FamilyView",
        "MemberView",
        "MembershipView",
        "HouseholdApi",
        "FamilyApi",
        "MemberApi",
        "MembershipApi",
        "Households",
        "Families",
        "Members",
        "Memberships",
        "ProposalView",
        "HouseholdProposalView",
        "MemberProposalView",
        "Proposals",
        # The navigation bar's quick search (views/quick_search.py): whoever lists the register.
        "QuickSearchView",
    }
)
REFERENCE_VIEWS = frozenset(
    {
        "RegionView",
        "ProgramView",
        "PeriodView",
        "RegionApi",
        "ProgramApi",
        "PeriodApi",
        "Regions",
        "Programs",
        "Periods",
        "RegionSearchView",
        "Register",
        "Reference data",
    }
)
AUDIT_VIEWS = frozenset({"AuditView", "AuditApi", "Audit trail"})
#: The period close (schedule, "close now", job history) and the district activity dashboard.
PERIOD_CLOSE_VIEWS = frozenset({"PeriodCloseView", "Period close", "Updating"})
ACTIVITY_VIEWS = frozenset({"ActivityView", "District activity", "Updating"})
#: Village deliberations (musyawarah desa) of the welfare ranking, and their decile overrides
#: (views/deliberations.py): recorded by the regency's Operator, read by those who verify or watch.
DELIBERATION_VIEWS = frozenset({"DeliberationView", "Deliberations"})
DELIBERATION_OVERRIDING = frozenset({("can_override", "DeliberationView")})
#: Targeting errors by decile (views/targeting.py, /api/v1/targeting/): read-only, in scope.
TARGETING_VIEWS = frozenset({"TargetingView", "Targeting", "TargetingApi", "Updating"})
#: The maps (views/maps.py, /api/v1/map/): every role that reads the register's figures.
MAP_VIEWS = frozenset({"MapView", "Maps", "MapApi", "Updating"})
#: Printed documents (views/reports.py): certificates for the regency's operators, recaps and
#: minutes for those who read a province or the nation.
REPORTS_MENU = frozenset({("can_index", "ReportsView"), ("menu_access", "Reports")})
CERTIFICATE_PRINTING = REPORTS_MENU | {
    ("can_certificate", "ReportsView"),
    ("can_bulk", "ReportsView"),
}
RECAP_PRINTING = REPORTS_MENU | {("can_recap", "ReportsView"), ("can_minutes", "ReportsView")}
#: Bulk import of households from a file (views/imports.py): an Operator in their regency.
IMPORTING = frozenset(
    {
        ("can_import", "ImportView"),
        ("menu_access", "Import households"),
        ("menu_access", "Updating"),
    }
)
#: New households and members enter the register, and leave it, only as proposals verified and
#: applied at a period close (DESIGN §5); an operator corrects existing records directly.
ENTER_AND_LEAVE_BY_PROPOSAL = frozenset(
    {
        ("can_add", "HouseholdView"),
        ("can_delete", "HouseholdView"),
        ("can_add", "MemberView"),
        ("can_delete", "MemberView"),
        ("can_delete", "HouseholdApi"),
    }
)
#: CSV/XLSX exports of the console's lists (app.exports): a role may export, within its scope and
#: with NIK masked as on screen, the lists it reads, except the Verifikator, whose work is done on
#: screen (data minimisation: a file of a whole regency leaves the console's controls).
EXPORT_VIEWS = frozenset(
    {
        "HouseholdView",
        "FamilyView",
        "MemberView",
        "MembershipView",
        "ProposalView",
        "RegionView",
        "ProgramView",
        "PeriodView",
    }
)


#: The list of callers whose NIK and KK lookups are suspended (views/lookups.py), and lifting a
#: suspension: Pusdatin, who runs the national register (Admin has every permission).
LOOKUP_SUSPENSIONS = frozenset(
    {
        ("can_list", "LookupSuspensionView"),
        ("can_lift", "LookupSuspensionView"),
        ("menu_access", "Suspended lookups"),
    }
)


#: The duplicate candidates (views/duplicates.py, /api/v1/duplicate/): reading the queue, deciding
#: a candidate (Verifikator, Pusdatin) and queueing a scan (Pusdatin).
DUPLICATE_READING = frozenset(
    {
        ("can_list", "DuplicateView"),
        ("can_show", "DuplicateView"),
        ("menu_access", "Duplicates"),
        ("can_get", "DuplicateApi"),
        ("can_info", "DuplicateApi"),
    }
)
DUPLICATE_DECIDING = DUPLICATE_READING | {("can_decide", "DuplicateView")}
DUPLICATE_SCANNING = frozenset({("can_scan", "DuplicateView")})


#: Residents' submissions (views/complaints.py): read in scope by whoever watches the register;
#: decided by the regency's Verifikator; the follow-up task is the Operator's; the photos are
#: the regency's own officers' (app.complaints.deciding also checks the user's region).
COMPLAINT_READING = frozenset(
    {
        ("can_list", "ComplaintView"),
        ("can_show", "ComplaintView"),
        ("menu_access", "Residents' submissions"),
        ("menu_access", "Updating"),
    }
)
COMPLAINT_PHOTOS = frozenset({("can_photo", "ComplaintView")})
COMPLAINT_DECIDING = COMPLAINT_READING | COMPLAINT_PHOTOS | {("can_decide", "ComplaintView")}
COMPLAINT_TASKS = COMPLAINT_READING | COMPLAINT_PHOTOS | {("can_task", "ComplaintView")}


def exports(views: frozenset) -> frozenset:
    return frozenset(("can_export", view) for view in views)


#: Views every signed-in user needs: the dashboard, own profile, language and menu.
COMMON_VIEWS = frozenset(
    {
        "DashboardIndexView",
        "UserInfoEditView",
        "ResetMyPasswordView",
        "LocaleView",
        "MenuApi",
        "UtilView",
        "Dashboard",
    }
)

#: Every signed-in user's own account in the user screens: the profile (/users/userinfo/) and its
#: buttons to change one's password and name; not the list or the page of any other user.
OWN_ACCOUNT = frozenset(
    {
        ("can_userinfo", "RegionUserDBModelView"),
        ("resetmypassword", "RegionUserDBModelView"),
        ("userinfoedit", "RegionUserDBModelView"),
    }
)


@dataclass(frozen=True)
class RoleRule:
    name: str
    national: bool
    read: frozenset = frozenset()
    write: frozenset = frozenset()
    extra: frozenset = field(default_factory=frozenset)
    denied: frozenset = field(default_factory=frozenset)

    def allows(self, permission: str, view: str) -> bool:
        if (permission, view) in self.denied:
            return False
        if view in COMMON_VIEWS or (permission, view) in OWN_ACCOUNT:
            return True
        if (permission, view) in self.extra:
            return True
        if view in self.write and (permission in READ or permission in WRITE):
            return True
        return view in self.read and permission in READ


ROLES = {
    rule.name: rule
    for rule in (
        RoleRule(
            PUSDATIN,
            national=True,
            read=REGISTER_VIEWS
            | REFERENCE_VIEWS
            | ACTIVITY_VIEWS
            | DELIBERATION_VIEWS
            | TARGETING_VIEWS
            | MAP_VIEWS,
            write=frozenset({"ProgramView", "PeriodView", "ProgramApi", "PeriodApi"})
            | PERIOD_CLOSE_VIEWS,
            extra=RECAP_PRINTING
            | exports(EXPORT_VIEWS)
            | LOOKUP_SUSPENSIONS
            | DUPLICATE_DECIDING
            | DUPLICATE_SCANNING
            | COMPLAINT_READING,
        ),
        RoleRule(
            PROVINSI,
            national=False,
            read=REGISTER_VIEWS
            | REFERENCE_VIEWS
            | ACTIVITY_VIEWS
            | DELIBERATION_VIEWS
            | TARGETING_VIEWS
            | MAP_VIEWS,
            extra=RECAP_PRINTING | exports(EXPORT_VIEWS) | DUPLICATE_READING | COMPLAINT_READING,
        ),
        RoleRule(
            OPERATOR,
            national=False,
            read=REFERENCE_VIEWS | TARGETING_VIEWS | MAP_VIEWS,
            write=REGISTER_VIEWS | DELIBERATION_VIEWS,
            denied=ENTER_AND_LEAVE_BY_PROPOSAL,
            extra=frozenset({("can_submit", "ProposalView")})
            | CERTIFICATE_PRINTING
            | exports(EXPORT_VIEWS)
            | IMPORTING
            | DUPLICATE_READING
            | DELIBERATION_OVERRIDING
            | COMPLAINT_TASKS,
        ),
        RoleRule(
            VERIFIKATOR,
            national=False,
            read=REGISTER_VIEWS
            | REFERENCE_VIEWS
            | DELIBERATION_VIEWS
            | TARGETING_VIEWS
            | MAP_VIEWS,
            extra=frozenset({("can_verify", "ProposalView"), ("can_reject", "ProposalView")})
            | DUPLICATE_DECIDING
            | COMPLAINT_DECIDING,
        ),
        RoleRule(
            PENGAWAS,
            national=True,
            read=REGISTER_VIEWS
            | REFERENCE_VIEWS
            | AUDIT_VIEWS
            | ACTIVITY_VIEWS
            | PERIOD_CLOSE_VIEWS
            | DELIBERATION_VIEWS
            | TARGETING_VIEWS
            | MAP_VIEWS,
            extra=RECAP_PRINTING
            | exports(EXPORT_VIEWS | {"AuditView"})
            | DUPLICATE_READING
            | COMPLAINT_READING,
        ),
        RoleRule(
            INTERKONEKSI,
            national=False,
            read=frozenset(
                {
                    "HouseholdApi",
                    "FamilyApi",
                    "MemberApi",
                    "MembershipApi",
                    "RegionApi",
                    "ProgramApi",
                    "PeriodApi",
                    "TargetingApi",
                    "MapApi",
                }
            ),
        ),
    )
}
NATIONAL_ROLES = {ADMIN} | {name for name, rule in ROLES.items() if rule.national}


def sync_roles(security_manager) -> None:
    """Give each role exactly the permissions its rule allows (Admin gets all of them)."""
    session = security_manager.session
    all_permission_views = session.query(security_manager.permissionview_model).all()
    admin = security_manager.add_role(security_manager.auth_role_admin)
    admin.permissions = list(all_permission_views)
    for name, rule in ROLES.items():
        role = security_manager.add_role(name)
        role.permissions = [
            pv
            for pv in all_permission_views
            if pv.permission and pv.view_menu and rule.allows(pv.permission.name, pv.view_menu.name)
        ]
    session.commit()


def role_names(user) -> set[str]:
    """The names of a user's roles (none for a visitor)."""
    return {role.name for role in getattr(user, "roles", None) or []}
