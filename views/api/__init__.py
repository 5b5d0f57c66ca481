"""The REST API under /api/v1/ (DESIGN §7), a door: `base` (what every register resource
shares), `register` (the register's resources), `schemas` (their declared schemas),
`interconnection` (aggregates and the NIK status check for other systems), `duplicates` (the
duplicate candidates), `targeting` (targeting errors by decile), `maps` (a region's map as
GeoJSON). Registered by register_apis, called by views.register_views."""


def register_apis(appbuilder) -> None:
    from views.api.duplicates import DuplicateApi
    from views.api.interconnection import register_interconnection_apis
    from views.api.maps import MapApi
    from views.api.register import (
        FamilyApi,
        HouseholdApi,
        MemberApi,
        MembershipApi,
        PeriodApi,
        ProgramApi,
        RegionApi,
    )
    from views.api.targeting import TargetingApi
    from views.api_keys import register_api_key_views

    for api in (
        RegionApi,
        HouseholdApi,
        FamilyApi,
        MemberApi,
        ProgramApi,
        MembershipApi,
        PeriodApi,
        DuplicateApi,
        TargetingApi,
        MapApi,
    ):
        appbuilder.add_api(api)
    register_interconnection_apis(appbuilder)
    register_api_key_views(appbuilder)
