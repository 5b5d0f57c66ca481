"""No chart label runs into another: every text of a chart (title, axis titles and ticks,
category labels, printed counts, legend) gets a box of its approximate size — 0.6 × font size
per character wide, one font size high — and no two boxes overlap, on Beranda's charts and on
the recap PDF's, with demo-like figures: long region names, large adjacent counts (1.021 next
to 1.032), the "not set" decile."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from models.enums import Sex

#: Printed counts beside each other that used to read as one ("1.0211.032").
ADJACENT = (1021, 1032)
#: pygal's text classes and the size each gets from the chart's style sheet.
_FONT_RULES = (
    (".axis text.major", "major"),
    (".axis text", "axis"),
    (".legends .legend text", "legend"),
    (".text-overlay text.value", "value"),
    (".text-overlay text.label", "label"),
    ("text.no_data", "no_data"),
    (".title", "title"),
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _font_sizes(root) -> dict[str, float]:
    css = "".join(node.text or "" for node in root.iter() if _local(node.tag) == "style")
    sizes = {}
    for selector, key in _FONT_RULES:
        match = re.search(re.escape(selector) + r"\{[^}]*font-size:([\d.]+)px", css)
        if match:
            sizes[key] = float(match.group(1))
    return sizes


def _transform(text: str | None):
    """(dx, dy, angle, cx, cy) of a pygal transform: translate(x, y) or rotate(a cx cy)."""
    if not text:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    numbers = [float(n) for n in re.findall(r"-?[\d.]+(?:e-?\d+)?", text)]
    if text.startswith("translate"):
        return numbers[0], numbers[1] if len(numbers) > 1 else 0.0, 0.0, 0.0, 0.0
    if text.startswith("rotate"):
        angle, cx, cy = (numbers + [0.0, 0.0])[:3]
        return 0.0, 0.0, angle, cx, cy
    raise AssertionError(f"unexpected transform {text}")


def _rotated(points, angle, cx, cy):
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    return [
        (cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos)
        for x, y in points
    ]


def text_boxes(svg: str) -> list[tuple[str, list[tuple[float, float]]]]:
    """(text, its box's four corners) of every non-empty text of an SVG chart, in the chart's
    coordinates."""
    root = ET.fromstring(svg)
    sizes = _font_sizes(root)
    boxes = []

    def walk(node, offset, classes):
        dx, dy, *_ = _transform(node.get("transform")) if _local(node.tag) == "g" else (0, 0)
        offset = (offset[0] + dx, offset[1] + dy)
        classes = classes + [node.get("class", "")]
        for child in node:
            if isinstance(child.tag, str):
                if _local(child.tag) == "text":
                    box = _box(child, offset, classes + [child.get("class", "")], sizes)
                    if box:
                        boxes.append(box)
                else:
                    walk(child, offset, classes)

    walk(root, (0.0, 0.0), [])
    return boxes


def _box(node, offset, classes, sizes):
    content = "".join(node.itertext()).strip()
    if not content:
        return None
    own = set(classes[-1].split())
    inside = " ".join(classes)
    if "title" in own:
        kind, anchor = "title", "middle"
    elif "value" in own:
        kind, anchor = "value", "start"
    elif "label" in own and "text-overlay" in inside:
        kind, anchor = "label", "start"
    elif "legend" in inside:
        kind, anchor = "legend", "start"
    elif "axis" in inside:
        kind = "major" if "major" in own else "axis"
        if re.search(r"\baxis x\b", inside):  # a slanted label starts at its tick
            anchor = "start" if node.get("transform") else "middle"
        else:
            anchor = "end"
    else:
        kind, anchor = "no_data" if "no_data" in own else "axis", "middle"
    anchor = node.get("text-anchor") or anchor
    size = sizes.get(kind) or sizes.get("axis", 14.0)
    width = 0.6 * size * len(content)
    x, y = float(node.get("x", 0)) + offset[0], float(node.get("y", 0)) + offset[1]
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    corners = [(left, y - 0.8 * size), (left + width, y - 0.8 * size)]
    corners += [(left, y + 0.2 * size), (left + width, y + 0.2 * size)]
    _dx, _dy, angle, cx, cy = _transform(node.get("transform"))
    if angle:
        corners = _rotated(corners, angle, cx + offset[0], cy + offset[1])
    # Corners in order around the box (a slanted label is a slanted box, not its bounds).
    return content, [corners[0], corners[1], corners[3], corners[2]]


def _apart(a, b) -> bool:
    """Whether two boxes (corner lists) are apart by half a pixel along one of their edges'
    normals (separating axes: for rectangles, one of the four edge directions separates them
    whenever they do not overlap)."""
    for box in (a, b):
        for (x1, y1), (x2, y2) in zip(box, box[1:] + box[:1], strict=True):
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            normal = (-(y2 - y1) / length, (x2 - x1) / length)
            first = [x * normal[0] + y * normal[1] for x, y in a]
            second = [x * normal[0] + y * normal[1] for x, y in b]
            if min(max(first), max(second)) - max(min(first), min(second)) <= 0.5:
                return True
    return False


def overlaps(svg: str) -> list[tuple[str, str]]:
    """The pairs of texts whose boxes overlap (by more than half a pixel)."""
    boxes = text_boxes(svg)
    found = []
    for index, (first, a) in enumerate(boxes):
        for second, b in boxes[index + 1 :]:
            if not _apart(a, b):
                found.append((first, second))
    return found


def _demo_figures():
    from app import statistics

    names = [
        "Kabupaten Bogor",
        "Kabupaten Sukabumi",
        "Kabupaten Cianjur",
        "Kabupaten Bandung",
        "Kabupaten Garut",
        "Kabupaten Tasikmalaya",
        "Kabupaten Bandung Barat",
        "Kabupaten Pangandaran",
        "Kota Bandung",
        "Kota Banjar",
    ]
    counts = [*ADJACENT, 987, 15_432, 120_345, 3, 1_021_004, 0, 98_765, 10]
    regions = [
        statistics.RegionCount(f"32.{index:02d}", name, count)
        for index, (name, count) in enumerate(zip(names, counts, strict=True), start=1)
    ]
    deciles = dict(
        zip(statistics.DECILES, [*ADJACENT, 1011, 998, 1005, 1019, 990, 1002, 10, 10], strict=True)
    )
    deciles[None] = 10
    programs = [
        statistics.ProgramCount("PBI-JK", "PBI Jaminan Kesehatan", ADJACENT[0]),
        statistics.ProgramCount("PKH", "Program Keluarga Harapan", ADJACENT[1]),
        statistics.ProgramCount("BPNT", "Bantuan Pangan Non Tunai", 987_654),
        statistics.ProgramCount("RUTILAHU", "Rumah Tidak Layak Huni", 12),
        statistics.ProgramCount("PIP", "Program Indonesia Pintar", 0),
    ]
    groups = [label for label, _lowest, _highest in statistics.AGE_GROUPS]
    people = {
        Sex.MALE: {group: ADJACENT[0] + index for index, group in enumerate(groups)},
        Sex.FEMALE: {group: ADJACENT[1] + index for index, group in enumerate(groups)},
    }
    return regions, deciles, programs, people


@pytest.mark.parametrize("locale", ["id", "en"])
def test_dashboard_charts_have_no_colliding_labels(app, locale):
    from app.statistics import charts

    regions, deciles, programs, people = _demo_figures()
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        svgs = {
            "regions": charts.region_chart(regions, 2),
            "deciles": charts.decile_chart(deciles),
            "programs": charts.program_chart(programs),
            "people": charts.sex_age_chart(people),
        }
    for name, svg in svgs.items():
        texts = [text for text, _box in text_boxes(svg)]
        assert "1.021" in texts or "1,021" in texts, name  # the adjacent counts are printed
        assert overlaps(svg) == [], name


def test_the_not_set_decile_has_a_label_of_its_own(app):
    from app.statistics import charts

    _regions, deciles, _programs, _people = _demo_figures()
    with app.test_request_context():
        svg = charts.decile_chart(deciles, interactive=False)
        not_set = charts.gettext("Not set")
    texts = [text for text, _box in text_boxes(svg)]
    assert not_set in texts and "10" in texts
    assert overlaps(svg) == []


def test_every_chart_has_the_same_axis_style(app):
    """One style: horizontal bars, counts on the bottom axis titled with what is counted."""
    from app.statistics import charts

    regions, deciles, programs, people = _demo_figures()
    with app.test_request_context():
        svgs = [
            charts.region_chart(regions, 2),
            charts.decile_chart(deciles),
            charts.program_chart(programs),
            charts.sex_age_chart(people),
        ]
    for svg in svgs:
        assert 'class="graph horizontalbar-graph horizontal"' in svg
        titles = re.findall(r'<text x="[^"]*" y="[^"]*" class="title">([^<]*)</text>', svg)
        assert titles, "the count axis has a title"


def test_the_recap_pdf_charts_have_no_colliding_labels(app):
    from app import statistics
    from reports import recaps

    regions, deciles, programs, _people = _demo_figures()
    rows = [recaps.Row(region.code, region.name, households=region.count) for region in regions]
    total = recaps.Row("32", "", households=sum(row.households for row in rows), deciles=deciles)
    listed = [(index, program.code, program.name) for index, program in enumerate(programs)]
    total.programs = {index: program.count for index, program in enumerate(programs)}
    recap = recaps.Recap("32", None, None, True, 2, listed, rows, total)
    with app.test_request_context():
        svgs = recaps.chart_svgs(recap)
    assert set(svgs) == {"regions", "deciles", "programs"}
    for name, svg in svgs.items():
        assert "<script" not in svg
        assert overlaps(svg) == [], name
    assert statistics.DECILES  # the recap's deciles are the dashboard's


def test_the_activity_charts_across_periods_have_no_colliding_labels(app):
    """The activity page's vertical charts: twelve periods, large counts side by side."""
    from app.statistics import activity

    points = [
        activity.HistoryPoint(f"2026-{month:02d}", month == 12, 396, 514, 1_021_004, 1_032_117)
        for month in range(1, 13)
    ]
    with app.test_request_context():
        svgs = [activity.share_chart(points), activity.work_chart(points)]
    for svg in svgs:
        assert "2026-12*" in [text for text, _box in text_boxes(svg)]
        assert overlaps(svg) == []


def test_the_overlap_check_finds_what_the_old_charts_printed():
    """The check itself: two counts printed over side-by-side bars 37 px apart collide, as
    they did in the grouped chart of people by sex."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><style>#c .text-overlay text.value'
        '{font-size:14px}</style><g class="plot text-overlay" transform="translate(10, 5)">'
        '<text text-anchor="middle" x="32.9" y="92" class="value">1.021</text>'
        '<text text-anchor="middle" x="69.9" y="90" class="value">1.032</text></g></svg>'
    )
    assert overlaps(svg) == [("1.021", "1.032")]
