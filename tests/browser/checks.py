"""Checks a browser test runs on every page it visits, and the log of what they found.

`PageAudit.check(tab, name)` runs axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA), the structural
checks axe leaves to people (one h1, a title naming the page and its error count, skip link,
landmarks, grouped choices, bound labels, linked hints and errors, focus order of button rows,
an error summary that takes the focus and whose links move it to their field), target sizes
(WCAG 2.5.8), a visible indicator at every Tab stop, and no sideways scrolling at 320 px (a
phone, and 200% zoom of a 640 px window) or 390 px.
Problems are collected rather than raised, so one run shows everything wrong at once; call
`assert_clean()` at the end of the test.

axe and the Tab walk cost about a second a page, and pages of one type share a template: they
run on the first page of each type in an audit, and again wherever a page holds an element
kind (tag, input type, role) the audit has not checked yet. The other checks run on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
# A phone (390), the narrowest phone in use (320), and 200% zoom of a 640 px window (320).
NARROW_WIDTHS = (320, 390)
MIN_TARGET = 24
_axe = Axe()
# Every page axe checked in this run, for tests/browser/screenshots/axe-pages.txt.
AXE_CHECKED: list[str] = []

# Functions run in the page (tests/browser/js).
JS = Path(__file__).parent / "js"
STRUCTURE_JS = (JS / "structure.js").read_text()
TARGETS_JS = (JS / "targets.js").read_text()
FOCUS_STYLE_JS = (JS / "focus_style.js").read_text()
# The kinds of element on the page: tag, input type and role ("input[date]", "div{alert}").
ELEMENT_KINDS_JS = """
() => [...new Set([...document.body.querySelectorAll('*')].map((el) =>
  el.tagName.toLowerCase() + (el.type ? `[${el.type}]` : '')
  + (el.getAttribute('role') ? `{${el.getAttribute('role')}}` : '')))]
"""


@dataclass
class PageAudit:
    """Collects what the checks find on each page a test visits."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)
    # Page types and element kinds axe and the Tab walk have covered in this audit.
    covered: set[str] = field(default_factory=set)

    def check(
        self,
        tab,  # type: ignore[no-untyped-def]
        name: str,
        *,
        page_type: str | None = None,
        errors_expected: bool = False,
        standalone: bool = False,
        title_has_h1: bool = True,
        focus: bool = True,
        widths: tuple[int, ...] = NARROW_WIDTHS,
    ) -> None:
        """Check the page as it is now, filing problems under `name`; axe and the Tab walk
        only when its `page_type` (by default its name) or an element kind is new here."""
        found: list[str] = []
        # A click that navigates returns once the new page starts loading; check it loaded.
        tab.wait_for_load_state("load")
        kinds = {f"page type: {page_type or name}", *tab.evaluate(ELEMENT_KINDS_JS)}
        in_full = not kinds <= self.covered
        self.covered |= kinds
        if in_full:
            result = _axe.run(tab, options=AXE_OPTIONS)
            for violation in result.response["violations"]:
                targets = [" ".join(map(str, n["target"])) for n in violation["nodes"]][:4]
                found.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
            AXE_CHECKED.append(f"{name}  {tab.url}")
        self.checked.append(name)
        options = {
            "titleHasH1": title_has_h1,
            "standalone": standalone,
            "titleCountsErrors": errors_expected,
            "summaryLinks": errors_expected,
            "summaryFocused": errors_expected,
        }
        found += tab.evaluate(STRUCTURE_JS, options)
        if errors_expected:
            found += summary_link_problems(tab)
        found += [f"small target: {p}" for p in tab.evaluate(TARGETS_JS, MIN_TARGET)]
        if focus and in_full:
            found += focus_problems(tab, skip_link=not standalone)
        found += overflow_problems(tab, widths)
        if found:
            self.problems[name] = found

    def assert_clean(self) -> None:
        """Fail with every problem found, page by page."""
        report = "\n".join(
            f"{name}:\n  " + "\n  ".join(items) for name, items in self.problems.items()
        )
        assert not self.problems, f"accessibility problems on {len(self.problems)} pages:\n{report}"


def summary_link_problems(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """Following the error summary's first and last links puts the focus in that field."""
    links = tab.locator(".error-summary a")
    if not links.count():
        return ["no error summary links although errors were expected"]
    problems = []
    for index in sorted({0, links.count() - 1}):
        link = links.nth(index)
        target = (link.get_attribute("href") or "#")[1:]
        link.click()
        focused = tab.evaluate("document.activeElement && document.activeElement.id")
        if focused != target:
            problems.append(f"error summary link #{target} left the focus on #{focused}")
    return problems


def focus_problems(tab, *, skip_link: bool, max_stops: int = 80) -> list[str]:  # type: ignore[no-untyped-def]
    """Tab through the page from the top; every stop must show a focus indicator."""
    stops = tab.evaluate(FOCUS_STYLE_JS)
    for _ in range(min(stops, max_stops)):
        tab.keyboard.press("Tab")
    log = tab.evaluate("window.focusLog")
    problems = []
    for state in log:
        if not state["visible"]:
            problems.append(f"no visible focus on <{state['tag']}> {state['name']!r}")
        if state["skip"] and not state["onScreen"]:
            problems.append("the skip link stays off-screen when focused")
    if skip_link and not (log and log[0]["skip"]):
        problems.append("the first Tab does not reach the skip link")
    tab.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    return problems


def overflow_problems(tab, widths: tuple[int, ...]) -> list[str]:  # type: ignore[no-untyped-def]
    """Check the page does not scroll sideways at each width, then restore the viewport."""
    problems = []
    original = tab.viewport_size
    # The width the tab already has first: a resize lays a long page out again.
    for width in sorted(widths, key=lambda w: w != original["width"]):
        if tab.viewport_size["width"] != width:
            tab.set_viewport_size({"width": width, "height": original["height"]})
        sizes = tab.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth,"
            " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1 && !e.closest('.table-scroll, .visually-hidden, .trap'))"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className)]"
        )
        if sizes[0] > sizes[1]:
            problems.append(f"scrolls sideways at {width} px ({sizes[0]} > {sizes[1]}): {sizes[2]}")
    if tab.viewport_size != original:
        tab.set_viewport_size(original)
    return problems


def record_foreign_requests(tab, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Start listing every request the tab sends to a host other than `origin`."""
    foreign: list[str] = []

    def note(request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith((origin + "/", "data:")):
            foreign.append(request.url)

    tab.on("request", note)
    return foreign
