"""The map a printed document carries (the region recap, the close's minutes): the same picture
as on screen (app.maps), without links, as an image WeasyPrint draws."""

from __future__ import annotations

from app.errors import DomainError
from app.maps import choropleth
from app.statistics.charts import svg_data_uri


def map_image(region: str, indicator: str, period_code: str) -> dict | None:
    """{"src", "title"} of `region`'s sub-regions coloured by `indicator`; None where there is
    nothing to draw (a district's villages have no boundaries)."""
    try:
        the_map = choropleth.region_map(region, None, indicator, period_code)
    except DomainError:
        return None
    if the_map.level == 0:
        return None
    svg = choropleth.picture(the_map, interactive=False)
    return {"src": svg_data_uri(str(svg)), "title": the_map.title}
