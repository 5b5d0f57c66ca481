"""Registers every console view and API; the order here is the menu's order."""

from flask_babel import lazy_gettext as _l


def register_views(appbuilder) -> None:
    from views.activity import ActivityView
    from views.api import register_apis
    from views.audit import AuditApi, AuditView
    from views.citizen import register_citizen_views
    from views.complaints import register_complaint_views
    from views.deliberations import DeliberationView
    from views.duplicates import register_duplicate_views
    from views.households import FamilyView, HouseholdView, MembershipView, MemberView
    from views.imports import ImportView
    from views.lookups import register_lookup_views
    from views.maps import MapView
    from views.offices import OfficeView
    from views.periods import PeriodCloseView, PeriodView
    from views.proposal_forms import HouseholdProposalView, MemberProposalView
    from views.proposals import ProposalView
    from views.quick_search import register_quick_search_view
    from views.reference import ProgramView
    from views.regions import RegionSearchView, RegionView
    from views.reports import register_report_views
    from views.targeting import TargetingView

    register = _l("Welfare register")
    appbuilder.add_view(
        HouseholdView,
        "Households",
        label=_l("Households"),
        icon="fa-home",
        category="Register",
        category_label=register,
    )
    appbuilder.add_view(
        FamilyView, "Families", label=_l("Families"), icon="fa-users", category="Register"
    )
    appbuilder.add_view(
        MemberView, "Members", label=_l("Household members"), icon="fa-user", category="Register"
    )
    appbuilder.add_view(
        MembershipView,
        "Memberships",
        label=_l("Program memberships"),
        icon="fa-id-card",
        category="Register",
    )
    appbuilder.add_view(
        ProposalView, "Proposals", label=_l("Proposals"), icon="fa-inbox", category="Register"
    )
    appbuilder.add_view_no_menu(HouseholdProposalView)
    appbuilder.add_view_no_menu(MemberProposalView)
    register_duplicate_views(appbuilder)
    reference = _l("Reference data")
    appbuilder.add_view(
        RegionView,
        "Regions",
        label=_l("Regions"),
        icon="fa-map",
        category="Reference data",
        category_label=reference,
    )
    appbuilder.add_view(
        ProgramView,
        "Programs",
        label=_l("Assistance programs"),
        icon="fa-gift",
        category="Reference data",
    )
    appbuilder.add_view(
        PeriodView,
        "Periods",
        label=_l("Updating periods"),
        icon="fa-calendar",
        category="Reference data",
    )
    appbuilder.add_view(
        OfficeView,
        "Issuing offices",
        label=_l("Issuing offices"),
        icon="fa-university",
        category="Reference data",
    )
    updating = _l("Updating cycle")
    appbuilder.add_view(
        PeriodCloseView,
        "Period close",
        label=_l("Period close"),
        icon="fa-lock",
        category="Updating",
        category_label=updating,
    )
    appbuilder.add_view(
        ActivityView,
        "District activity",
        label=_l("District activity"),
        icon="fa-line-chart",
        category="Updating",
    )
    appbuilder.add_view(
        TargetingView,
        "Targeting",
        label=_l("Targeting"),
        icon="fa-crosshairs",
        category="Updating",
    )
    appbuilder.add_view(MapView, "Maps", label=_l("Maps"), icon="fa-map-o", category="Updating")
    appbuilder.add_view(
        ImportView,
        "Import households",
        label=_l("Import households"),
        icon="fa-upload",
        category="Updating",
    )
    appbuilder.add_view(
        DeliberationView,
        "Deliberations",
        label=_l("Village deliberations"),
        icon="fa-comments",
        category="Updating",
    )
    appbuilder.add_view(AuditView, "Audit trail", label=_l("Audit trail"), icon="fa-history")
    register_lookup_views(appbuilder)
    appbuilder.add_view_no_menu(RegionSearchView)
    register_quick_search_view(appbuilder)
    register_complaint_views(appbuilder)
    register_citizen_views(appbuilder)
    register_report_views(appbuilder)
    register_apis(appbuilder)
    appbuilder.add_api(AuditApi)
