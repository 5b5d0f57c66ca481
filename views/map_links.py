"""What the doors that draw maps (the map page, Beranda, the activity page, the API) decide the
same way: which indicators the viewer may see and where a household's point leads."""

from flask import current_app, url_for


def allowed_indicator(indicator) -> bool:
    """Open duplicate candidates only for those who read the duplicate queue."""
    if indicator.name == "duplicates":
        return current_app.appbuilder.sm.has_access("can_list", "DuplicateView")
    return True


def household_link(household_id: int) -> str:
    return url_for("HouseholdView.show", pk=household_id)


def embedded_map(indicator: str, period: str | None = None, region: str | None = None):
    """The map a page shows beside its own figures (Beranda, the activity page): the SVG and its
    title, each region opening the map page; None where it cannot be drawn (no period yet, an
    indicator not counted below the viewer's region)."""
    from app.errors import DomainError
    from app.maps import choropleth

    try:
        the_map = choropleth.region_map(region, None, indicator, period, allowed=allowed_indicator)
    except DomainError:
        return None
    if the_map.level == 0:
        return None

    def href(code):
        return url_for(
            "MapView.index", region=code, indicator=indicator, period=the_map.period.code
        )

    more = url_for(
        "MapView.index",
        region=the_map.region or None,
        indicator=indicator,
        period=the_map.period.code,
    )
    return {"svg": choropleth.picture(the_map, href=href), "title": the_map.title, "link": more}
