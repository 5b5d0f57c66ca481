"""Register charts as self-contained SVG, for the dashboard and for PDFs alike.

Charts are drawn on the server with pygal from the aggregates of `app.statistics`; nothing is
fetched from the internet when they are shown. pygal embeds a `<script>` pointing at
kozea.github.io unless told otherwise: here `js` is empty, the styles are inlined, and the page
that wants hover tooltips loads the pygaljs copy the app serves itself (TOOLTIPS_JS).

Each `*_chart` function takes the aggregate and returns an SVG string; `interactive=False`
drops the small configuration script pygal writes for the tooltips, which a PDF does not need.
`svg_data_uri` turns an SVG into `data:image/svg+xml;base64,…` for `<img>` in WeasyPrint.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping

import pygal
import pygaljs
from babel.numbers import format_compact_decimal
from flask import has_request_context
from flask_babel import get_locale, gettext
from pygal.style import Style

from app import codes, statistics
from app.formatting import number
from models.enums import Sex

#: The pygal-tooltips script shipped by the pinned pygaljs package (served by the dashboard).
TOOLTIPS_JS = pygaljs.path("2.0.x", "pygal-tooltips.min.js")

#: One palette for every chart: the first colour is the register's, then contrasting ones.
PALETTE = (
    "#1f6f8b",  # teal blue
    "#e07b39",  # orange
    "#3a9d5d",  # green
    "#8e5ea2",  # purple
    "#c8a2c8",
    "#d94f4f",
    "#5b8def",
    "#a0a0a0",
)
FONT = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif'

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#333333",
    foreground_strong="#111111",
    foreground_subtle="#666666",
    font_family=FONT,
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    value_label_font_size=13,
    tooltip_font_size=15,
    title_font_size=19,
    legend_font_size=15,
    no_data_font_size=24,
    opacity=".9",
    opacity_hover="1",
    colors=PALETTE,
    guide_stroke_color="#dddddd",
    major_guide_stroke_color="#bbbbbb",
)

WIDTH = 640  # drawn for a half-width dashboard column or an A4 page; SVG scales
BAR_HEIGHT = 26  # per bar: room for a label of label_font_size and a count of value_font_size
MIN_HEIGHT = 300
LEGEND_HEIGHT = 40  # a legend row under the chart
#: Room right of the longest bar, as a share of the axis, for the count printed after it.
VALUE_ROOM = 0.25


def region_title(level: int) -> str:
    """The title of the households-by-region chart for sub-regions of this level."""
    titles = {
        1: gettext("Households by province"),
        2: gettext("Households by regency/city"),
        3: gettext("Households by district"),
        4: gettext("Households by village"),
    }
    return titles.get(level) or gettext("Households by region")


def _config(title: str, **overrides) -> dict:
    """Settings shared by every chart: offline, translated, Indonesian numbers, no pygal ads."""
    settings = dict(
        title=title,
        style=STYLE,
        width=WIDTH,
        height=MIN_HEIGHT + 80,
        js=[],  # no kozea.github.io script; the page loads the local copy
        css=["file://style.css", "file://graph.css"],  # inlined from the pygal package
        disable_xml_declaration=True,
        force_uri_protocol="",
        value_formatter=_count,
        print_values=True,
        print_values_position="top",
        show_legend=False,
        truncate_label=40,
        truncate_legend=-1,
        no_data_text=gettext("No data"),
        margin=16,
        spacing=12,
    )
    settings.update(overrides)
    return settings


def _count(value) -> str:
    """Counts as whole numbers in the user's locale: 1.234.567."""
    if value is None:
        return ""
    return number(int(round(value)))


def _drop_comments(root):
    """pygal signs its SVG with comments carrying web addresses; a register's chart needn't."""
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str):  # comments and processing instructions
                parent.remove(child)
    return root


def _drop_scripts(root):
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _nonce_scripts(root):
    """Give pygal's inline scripts the request's CSP nonce, so tooltips run under the
    Content-Security-Policy (charts are rendered per request, never cached)."""
    from app.security.headers import csp_nonce

    nonce = csp_nonce()
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] == "script":
            node.set("nonce", nonce)
    return root


def _values_after_bars(root):
    """In horizontal bars, print each count just right of its bar instead of across its end."""
    for node in root.iter():
        if (
            isinstance(node.tag, str)
            and node.tag.rsplit("}", 1)[-1] == "text"
            and node.get("class") == "value"
            and node.get("x") is not None
        ):
            node.set("text-anchor", "start")
            node.set("x", str(float(node.get("x")) + 6))
    return root


def integer_ticks(highest: int, steps: int = 5, headroom: float = 0.0) -> list[int]:
    """Axis marks at whole, round counts (0, 2, 4 … or 0, 500, 1.000 …) covering `highest`
    plus a `headroom` share of it (room for the printed values)."""
    if highest <= 0:
        return [0, 1]
    highest = highest * (1 + headroom)
    raw = highest / steps
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = max(1, int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)))
    top = math.ceil(highest / step) * step
    return list(range(0, top + 1, step))


def axis_labels(highest: int, headroom: float = 0.0) -> list[dict]:
    """pygal `y_labels` at integer_ticks; from 10.000 up written short ("250 rb", "1,5 jt")
    so that long counts do not run into each other on a narrow axis."""
    ticks = integer_ticks(highest, headroom=headroom)
    if ticks[-1] < 10_000:
        return [{"value": tick, "label": number(tick)} for tick in ticks]
    locale = get_locale() or "id"
    return [
        {"value": tick, "label": format_compact_decimal(tick, locale=locale, fraction_digits=1)}
        for tick in ticks
    ]


#: Text is measured as pygal's margins and our label test measure it: 0.6 × font size a
#: character. PLOT_WIDTH: what a vertical chart keeps for its bars, beside its value axis.
CHARACTER_WIDTH = 0.6
PLOT_WIDTH = WIDTH - 140
LABEL_GAP = 4


def _text_width(text, font_size: float) -> float:
    return CHARACTER_WIDTH * font_size * len(str(text))


def _fit_vertical_labels(chart) -> None:
    """A vertical bar chart (the activity page's periods) cannot give its labels more room:
    its category labels are slanted when they would run into each other, and its printed
    counts are left out when they are wider than their bar (tooltips and the page's table
    carry them), rather than printed over each other ("1.0211.032")."""
    if isinstance(chart, pygal.HorizontalBar) or not isinstance(chart, pygal.Bar):
        return
    labels = [str(label) for label in getattr(chart, "x_labels", None) or []]
    slot = PLOT_WIDTH / max(1, len(labels))
    widest_label = max((_text_width(label, STYLE.label_font_size) for label in labels), default=0)
    if widest_label > slot - LABEL_GAP:
        chart.x_label_rotation = 30
    formatter = chart.config.value_formatter or str
    values = [
        value["value"] if isinstance(value, dict) else value
        for series, _options in chart.raw_series
        for value in series
    ]
    widest_value = max(
        (_text_width(formatter(value), STYLE.value_font_size) for value in values), default=0
    )
    if widest_value > slot / max(1, len(chart.raw_series)) - LABEL_GAP:
        chart.print_values = False


def _render(chart, interactive: bool) -> str:
    _fit_vertical_labels(chart)
    chart.add_xml_filter(_drop_comments)
    if not interactive:
        chart.add_xml_filter(_drop_scripts)
    elif has_request_context():
        chart.add_xml_filter(_nonce_scripts)
    return chart.render(is_unicode=True)


def _horizontal_height(bars: int, legend: bool = False) -> int:
    """Room for every bar (of every series) at BAR_HEIGHT, so that neither the category labels
    on the left nor the counts printed after the bars can run into each other."""
    return max(MIN_HEIGHT, 120 + BAR_HEIGHT * bars + (LEGEND_HEIGHT if legend else 0))


def bar_chart(
    title: str,
    categories: list[str],
    series: list[tuple[str, list]],
    count_title: str,
    *,
    category_title: str | None = None,
    interactive: bool = True,
) -> str:
    """The one chart style of the register: horizontal bars, one row per category (and per
    series within it) from the top, the count printed just after each bar, whole-number ticks
    on the bottom axis titled `count_title`, light vertical guides. Every chart of Beranda and
    of the recap PDF is one, so they read alike and their labels have room: a vertical bar's
    count had to fit the bar's width ("1.0211.032"), its category label too ("10Belum diisi").

    `series` are (name, values), each value a count or pygal's {"value", "label"}; more than one
    series gets a legend under the chart."""
    legend = len(series) > 1
    settings = _config(
        title,
        height=_horizontal_height(len(categories) * max(1, len(series)), legend),
        x_title=count_title,
        y_title=category_title,
        show_legend=legend,
        legend_at_bottom=True,
    )
    chart = pygal.HorizontalBar(**settings)
    chart.add_xml_filter(_values_after_bars)
    # pygal draws horizontal bars bottom-up; reverse so that the first category is on top.
    chart.x_labels = list(reversed(categories))
    highest = 0
    for name, values in series:
        counts = [value["value"] if isinstance(value, dict) else value for value in values]
        highest = max([highest, *counts])
        chart.add(name, list(reversed(values)))
    if categories:
        chart.y_labels = axis_labels(highest, headroom=VALUE_ROOM)
    return _render(chart, interactive)


def region_chart(
    rows: Iterable[statistics.RegionCount], level: int, *, interactive: bool = True
) -> str:
    """Households per sub-region, in region-code order from the top."""
    rows = list(rows)
    return bar_chart(
        region_title(level),
        [row.name for row in rows],
        [
            (
                gettext("Households"),
                [{"value": row.count, "label": f"{row.name} ({row.code})"} for row in rows],
            )
        ],
        gettext("Households"),
        interactive=interactive,
    )


def decile_chart(counts: Mapping[int | None, int], *, interactive: bool = True) -> str:
    """Households per welfare decile 1–10 (poorest on top); "Not set" when some have none."""
    labels = [str(decile) for decile in statistics.DECILES]
    values = [counts.get(decile, 0) for decile in statistics.DECILES]
    if counts.get(None):
        labels.append(gettext("Not set"))
        values.append(counts[None])
    return bar_chart(
        gettext("Households by welfare decile"),
        labels,
        [(gettext("Households"), values)],
        gettext("Households"),
        category_title=gettext("Welfare decile (1 = poorest)"),
        interactive=interactive,
    )


def program_chart(rows: Iterable[statistics.ProgramCount], *, interactive: bool = True) -> str:
    """Receiving memberships per assistance program."""
    rows = list(rows)
    return bar_chart(
        gettext("Program memberships"),
        [row.code for row in rows],
        [(gettext("Memberships"), [{"value": row.count, "label": row.name} for row in rows])],
        gettext("Receiving memberships"),
        interactive=interactive,
    )


def sex_age_chart(counts: Mapping[Sex, Mapping[str, int]], *, interactive: bool = True) -> str:
    """People by age group, one bar per sex in each group."""
    groups = [label for label, _lowest, _highest in statistics.AGE_GROUPS]
    return bar_chart(
        gettext("People by sex and age group"),
        groups,
        [(sex.label, [counts.get(sex, {}).get(group, 0) for group in groups]) for sex in Sex],
        gettext("People"),
        category_title=gettext("Age (years)"),
        interactive=interactive,
    )


def dashboard_charts(scope: str | None = None, *, interactive: bool = True) -> dict[str, str]:
    """The four dashboard charts for a scope (None = the signed-in user's), as SVG strings
    keyed "regions", "deciles", "programs", "people"."""
    scope = statistics.current_scope() if scope is None else scope
    return {
        "regions": region_chart(
            statistics.households_by_region(scope),
            codes.sub_level(scope),
            interactive=interactive,
        ),
        "deciles": decile_chart(statistics.welfare_deciles(scope), interactive=interactive),
        "programs": program_chart(statistics.program_memberships(scope), interactive=interactive),
        "people": sex_age_chart(statistics.members_by_sex_and_age(scope), interactive=interactive),
    }


def svg_data_uri(svg: str) -> str:
    """`data:image/svg+xml;base64,…` for an `<img src>` in HTML or a WeasyPrint PDF."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
