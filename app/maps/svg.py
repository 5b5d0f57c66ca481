"""One map renderer for the screen and for paper: an SVG document (WeasyPrint draws SVG, so the
recap and the minutes carry the same picture as the console). Regions are filled paths, points
are circles; on screen each may link one level down and names itself on hover (<title>)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.maps.shapes import Shape

WIDTH = 800
LEGEND_ROW, LEGEND_COLUMN = 24, 260
MARGIN = 8


@dataclass(frozen=True)
class Area:
    shape: Shape
    fill: str
    label: str  # the hover text: name and value
    href: str | None = None


@dataclass(frozen=True)
class Dot:
    longitude: float
    latitude: float
    fill: str
    label: str
    radius: float = 4.0
    text: str = ""  # a number drawn on the circle (a cluster's households)
    href: str | None = None


class _Projection:
    """Longitude and latitude to the picture: plate carrée with longitudes shortened by the
    cosine of the middle latitude (Indonesia straddles the equator: nearly true to shape)."""

    def __init__(self, bounds, width: float):
        west, south, east, north = bounds
        self.squeeze = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * self.squeeze, 1e-6)
        span_y = max(north - south, 1e-6)
        self.scale = (width - 2 * MARGIN) / span_x
        if span_y * self.scale > width * 1.1:  # a tall region: keep the picture at most square-ish
            self.scale = width * 1.1 / span_y
        self.west, self.north = west, north
        self.width = width
        self.height = span_y * self.scale + 2 * MARGIN
        self.offset = (width - span_x * self.scale) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.offset + (lon - self.west) * self.squeeze * self.scale,
            MARGIN + (self.north - lat) * self.scale,
        )


def bounds_of(areas: list[Area], dots: list[Dot]) -> tuple[float, float, float, float]:
    boxes = [area.shape.bounds for area in areas]
    boxes += [(dot.longitude, dot.latitude, dot.longitude, dot.latitude) for dot in dots]
    if not boxes:
        return (95.0, -11.0, 141.0, 6.0)  # Indonesia
    west, south, east, north = (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )
    pad = max(east - west, north - south) * 0.03 or 0.005
    return west - pad, south - pad, east + pad, north + pad


def _path(shape: Shape, project) -> str:
    parts = []
    for polygon in shape.polygons:
        for ring in polygon:
            points = [project(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def _linked(inner: str, href: str | None, label: str) -> str:
    if not href:
        return inner
    return f'<a href="{escape(href)}" aria-label="{escape(label)}">{inner}</a>'


def render(
    areas: list[Area],
    dots: list[Dot],
    legend: list[tuple[str, str]],
    title: str,
    *,
    outline: list[Shape] = (),
    width: float = WIDTH,
    interactive: bool = True,
    bounds=None,
) -> Markup:
    """The SVG: `areas` filled, `outline` drawn as a backdrop (the district a village lies in),
    `dots` on top, then the legend's swatches and labels under the map."""
    project = _Projection(
        bounds or bounds_of(areas + [Area(s, "", "") for s in outline], dots), width
    )
    columns = max(1, int(width // LEGEND_COLUMN))
    legend_rows = math.ceil(len(legend) / columns) if legend else 0
    height = project.height + legend_rows * LEGEND_ROW + (10 if legend_rows else 0)
    body = []
    for shape in outline:
        body.append(f'<path d="{_path(shape, project)}" class="map-outline"/>')
    for area in areas:
        inner = (
            f'<path d="{_path(area.shape, project)}" fill="{area.fill}" class="map-area">'
            f"<title>{escape(area.label)}</title></path>"
        )
        body.append(_linked(inner, area.href if interactive else None, area.label))
    for dot in dots:
        x, y = project(dot.longitude, dot.latitude)
        inner = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot.radius:.1f}" fill="{dot.fill}" '
            f'class="map-dot"><title>{escape(dot.label)}</title></circle>'
        )
        if dot.text:
            inner += (
                f'<text x="{x:.1f}" y="{y + 4:.1f}" class="map-count" '
                f'text-anchor="middle">{escape(dot.text)}</text>'
            )
        body.append(_linked(inner, dot.href if interactive else None, dot.label))
    top = project.height + 10
    for index, (colour, label) in enumerate(legend):
        x = MARGIN + (index % columns) * LEGEND_COLUMN
        y = top + (index // columns) * LEGEND_ROW
        body.append(
            f'<rect x="{x}" y="{y:.1f}" width="18" height="14" fill="{colour}" '
            f'class="map-swatch"/><text x="{x + 24}" y="{y + 12:.1f}" class="map-legend">'
            f"{escape(label)}</text>"
        )
    role = 'role="group"' if interactive else 'role="img"'
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" '
        f'class="datakesos-map" {role} aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMidYMin meet">'
        f"<title>{escape(title)}</title>"
        "<style>.map-area{stroke:#555;stroke-width:.6}"
        ".map-outline{fill:#f4f4f4;stroke:#555;stroke-width:1}"
        ".map-dot{stroke:#222;stroke-width:.6;fill-opacity:.9}"
        ".map-count{font:bold 11px sans-serif;fill:#fff}"
        ".map-legend{font:13px sans-serif;fill:#222}.map-swatch{stroke:#555;stroke-width:.6}"
        "a:hover .map-area,a:focus .map-area{stroke:#000;stroke-width:2}</style>"
        + "".join(body)
        + "</svg>"
    )
