"""The dashboard's charts: pygal SVG, cleaned to sit inline in a page under our CSP.

pygal puts a <style> and a configuration <script> inside each SVG, and an inline `style`
attribute on its tooltip layer. The CSP allows no inline style or script, so `clean_svg` drops
all three (tooltips need pygal's JavaScript, which is never loaded), and the chart's CSS is
served as the static file static/css/charts.css, generated from pygal's own stylesheets by
`chart_css()` (tests/admin/test_charts.py fails when the two differ; regenerate with
`python -m screening.admin.charts > static/css/charts.css`).

Each SVG gets role="img", a <title> and a <desc> (aria-labelledby names both), so a screen
reader announces the chart's title and what it shows; the page puts the numbers in a table.
A count that must not be shown (1 to 4, see dashboard.is_small) is not drawn at all: the height
of a bar would tell it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from xml.etree import ElementTree as ET

import pygal
from markupsafe import Markup
from pygal.graph.graph import Graph
from pygal.style import Style

from screening.admin.dashboard import is_small

# pygal appends a finder to sys.meta_path for its map plugins (unused here). It has only the
# old find_module API, so Python 3.11 warns (ImportWarning) on every import that reaches it,
# i.e. every optional import that is not installed; Python 3.12 ignores it. Drop it.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

# Chosen for 3:1 contrast or more against white (WCAG 1.4.11) and against each other's
# neighbours in a stack; the first is the site's accent.
COLORS = ("#24545e", "#b3261e", "#8a5a00", "#5f4b8b", "#2e7d32")
STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    foreground="#1f2a30",
    foreground_strong="#1f2a30",
    foreground_subtle="#4a5960",
    opacity="1",
    opacity_hover="1",
    transition="0ms",
    colors=COLORS,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    value_font_size=14,
    value_label_font_size=14,
    title_font_size=16,
    tooltip_font_size=14,
    no_data_font_size=20,
    guide_stroke_color="#c9d3d1",
    major_guide_stroke_color="#4a5960",
)
# Small enough that 14 px text is still about 10 px on a 390 px phone; the page caps the width.
CONFIG = {
    "style": STYLE,
    "js": [],
    # pygal reads and fills in its stylesheets for every chart; ours is static/css/charts.css.
    "css": [],
    "width": 480,
    "height": 360,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 2,
    "truncate_legend": -1,
    "truncate_label": -1,
    "print_values": False,
    "min_scale": 4,
    "max_scale": 8,
}
# pygal's own stylesheets beside base.css (its default `css` setting), for chart_css().
PYGAL_CSS = ["file://style.css", "file://graph.css"]
# For charts whose series names are long (categories): one legend entry a line, room for them.
LEGEND_BELOW = {"legend_at_bottom_columns": 1, "height": 440}
# The prefix pygal scopes its CSS with, `#chart-<uuid>` (a space after it but for the rule on
# the <svg> itself); ours is the class every pygal <svg> has.
PREFIX = re.compile(r"#chart-[0-9a-f-]{36}")
SCOPE = "svg.pygal-chart"


def plotted(count: int) -> int | None:
    """Return a count as drawn: a small one (shown as "< 5" in words) is not drawn."""
    return None if is_small(count) else count


def clean_svg(chart: Graph, chart_id: str, title: str, description: str) -> Markup:
    """Render a chart as inline SVG without style, script or tooltips, titled and described."""
    root = chart.render_tree()  # pygal's tags carry no namespace; `xmlns` is an attribute
    for own in root.findall("defs") + root.findall("title"):  # styles, script, "Pygal"
        root.remove(own)
    for parent in root.iter():
        for child in list(parent):
            # Comments, and the tooltip layer (it carries an inline style).
            if not isinstance(child.tag, str) or "tooltip-overlay" in child.get("class", ""):
                parent.remove(child)
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("focusable", "false")
    for tag, suffix, text in (("desc", "desc", description), ("title", "title", title)):
        element = ET.Element(tag, {"id": f"{chart_id}-{suffix}"})
        element.text = text
        root.insert(0, element)
    del root.attrib["xmlns"]  # inline in HTML, <svg> is in the SVG namespace anyway
    # ElementTree escapes every text and attribute value it writes (labels, title, desc).
    return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704  # nosec B704


def chart_css() -> str:
    """Return pygal's CSS for STYLE and up to len(COLORS) series, scoped to our SVGs."""
    chart = pygal.Bar(**{**CONFIG, "css": PYGAL_CSS})
    for n in range(len(COLORS)):
        chart.add(str(n), [1])
    style = chart.render_tree().find("defs/style")
    assert style is not None and style.text
    header = "/* Generated by screening/admin/charts.py from pygal's stylesheets (LGPL-3.0+). */"
    return f"{header}\n{PREFIX.sub(SCOPE, style.text)}\n"


def bar_chart(
    kind: type[Graph],
    chart_id: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    title: str,
    description: str,
    **options: object,
) -> Markup:
    """A bar chart (plain, stacked or horizontal) of counts, small ones not drawn."""
    chart = kind(**{**CONFIG, **options})
    chart.x_labels = list(labels)
    for name, counts in series:
        chart.add(name, [plotted(count) for count in counts])
    return clean_svg(chart, chart_id, title, description)


def line_chart(
    chart_id: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], bool]],
    title: str,
    description: str,
) -> Markup:
    """A line chart of values per period (a gap where a value is None), each series with or
    without a dot per value."""
    chart = pygal.Line(
        **{**CONFIG, **LEGEND_BELOW},
        allow_interruptions=True,
        show_minor_x_labels=False,
        x_labels_major_every=4,
    )
    chart.x_labels = list(labels)
    for name, values, dots in series:
        chart.add(name, list(values), show_dots=dots)
    return clean_svg(chart, chart_id, title, description)


if __name__ == "__main__":
    sys.stdout.write(chart_css())
