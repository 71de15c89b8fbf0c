"""Checks a browser test runs on every page it visits, and the log of what they found.

`PageAudit.check(tab, name)` runs axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA), the structural
checks axe leaves to people (one h1, a title naming the page and its error count, skip link,
landmarks, grouped choices, bound labels, linked hints and errors, focus order of button rows,
an error summary that takes the focus and whose links move it to their field), target sizes
(WCAG 2.5.8), a visible indicator at every Tab stop, and no sideways scrolling at 320 px (a
phone, and 200% zoom of a 640 px window) or 390 px.
Problems are collected rather than raised, so one run shows everything wrong at once; call
`assert_clean()` at the end of the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import SCREENSHOTS

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
# A phone (390), the narrowest phone in use (320), and 200% zoom of a 640 px window (320).
NARROW_WIDTHS = (320, 390)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MIN_TARGET = 24
_axe = Axe()
# Every page axe checked in this run, for tests/browser/screenshots/axe-pages.txt.
AXE_CHECKED: list[str] = []

# Functions run in the page (tests/browser/js).
JS = Path(__file__).parent / "js"
STRUCTURE_JS = (JS / "structure.js").read_text()
TARGETS_JS = (JS / "targets.js").read_text()
FOCUS_STYLE_JS = (JS / "focus_style.js").read_text()


@dataclass
class PageAudit:
    """Collects what the checks find on each page a test visits."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)

    def check(
        self,
        tab,  # type: ignore[no-untyped-def]
        name: str,
        *,
        errors_expected: bool = False,
        standalone: bool = False,
        title_has_h1: bool = True,
        focus: bool = True,
        widths: tuple[int, ...] = NARROW_WIDTHS,
    ) -> None:
        """Run every check on the page as it is now, filing problems under `name`."""
        found: list[str] = []
        # A click that navigates returns once the new page starts loading; check it loaded.
        tab.wait_for_load_state("load")
        result = _axe.run(tab, options=AXE_OPTIONS)
        for violation in result.response["violations"]:
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"]][:4]
            found.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
        self.checked.append(name)
        AXE_CHECKED.append(f"{name}  {tab.url}")
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
        if focus:
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
    for width in widths:
        tab.set_viewport_size({"width": width, "height": 800})
        sizes = tab.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth,"
            " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1 && !e.closest('.table-scroll, .visually-hidden, .trap'))"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className)]"
        )
        if sizes[0] > sizes[1]:
            problems.append(f"scrolls sideways at {width} px ({sizes[0]} > {sizes[1]}): {sizes[2]}")
    tab.set_viewport_size(original)
    return problems


@dataclass
class WeightLog:
    """Bytes transferred for one page load: every response body, and any other host asked."""

    origin: str
    responses: list[tuple[str, int]] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def attach(self, tab) -> None:  # type: ignore[no-untyped-def]
        """Listen to the tab's requests and responses."""
        tab.on("request", self._request)
        tab.on("response", self._response)

    def _request(self, request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith(self.origin + "/") and not request.url.startswith("data:"):
            self.foreign.append(request.url)

    def _response(self, response) -> None:  # type: ignore[no-untyped-def]
        try:
            size = len(response.body())
        except Exception:  # redirects have no body
            size = 0
        self.responses.append((response.url, size))

    def take(self) -> int:
        """Return the bytes since the last call and start counting afresh."""
        total = sum(size for _url, size in self.responses)
        self.responses.clear()
        return total


def write_weights(rows: list[tuple[str, int]], path: Path = SCREENSHOTS / "weights.txt") -> str:
    """Write the weight table (heaviest first) and return it."""
    width = max(len(name) for name, _ in rows)
    lines = [f"{'page':<{width}}  {'bytes':>8}  {'KB':>6}"]
    for name, size in sorted(rows, key=lambda row: -row[1]):
        lines.append(f"{name:<{width}}  {size:>8}  {size / 1024:>6.1f}")
    table = "\n".join(lines) + "\n"
    SCREENSHOTS.mkdir(exist_ok=True)
    path.write_text(table)
    return table


def slug(text: str) -> str:
    """Make a file-name-safe name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
