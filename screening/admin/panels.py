"""The dashboard page's panels: each a title, a description, a chart and the table behind it.

`dashboard.py` counts, `charts.py` draws; this module puts words to both in the reader's
language (Flask-Babel), with every count from 1 to 4 written "< 5" in the tables, the chart
labels and the descriptions alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pygal
from flask import current_app
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from screening.admin import charts, dashboard
from screening.clock import clinic_zone, utcnow
from screening.i18n import current_language
from screening.intake.service import always_shown_steps
from screening.portal.workflow import CATEGORY_LABELS, STATUS_LABELS
from screening.questionnaire.model import Questionnaire

NOT_SHOWN = "—"


def count_text(count: int) -> str:
    """Write a count as the page shows it: "< 5" from 1 to 4, else the number."""
    return _("< 5") if dashboard.is_small(count) else format_decimal(count)


def days_text(hours: int | None) -> str:
    """Write whole hours as days with one decimal ("1.5"), or a dash when not shown."""
    return NOT_SHOWN if hours is None else format_decimal(hours / 24, "0.0")


@dataclass(frozen=True)
class Table:
    """The numbers behind a chart: a header row, then rows each led by its own header."""

    caption: str
    columns: Sequence[str]
    rows: Sequence[tuple[str, Sequence[str]]]


@dataclass(frozen=True)
class Panel:
    """One chart on the dashboard, with its words and its table."""

    id: str
    title: str
    description: str
    chart: Markup
    table: Table


def week_label(day: date) -> str:
    """Name a week by its Monday: "Nov 23"."""
    return format_date(day, "MMM d")


def month_label(day: date) -> str:
    """Name a month: "Nov 2026"."""
    return format_date(day, "MMM y")


def span(days: Sequence[date]) -> dict[str, str]:
    """The first and last period's dates, for a description."""
    return {"first": format_date(days[0], "medium"), "last": format_date(days[-1], "medium")}


def weekly_panel(db: Session, now: datetime) -> Panel:
    """Screenings sent per week by triage category."""
    data = dashboard.weekly_by_category(db, now, clinic_zone())
    names = [str(CATEGORY_LABELS[series.key]) for series in data.series]
    labels = [week_label(day) for day in data.starts]
    total = sum(sum(series.counts) for series in data.series)
    title = _("Screenings sent per week, by triage category")
    description = _(
        "Stacked bars, one per week (weeks start on Monday, on the clinic's clock) from the "
        "week of %(first)s to the week of %(last)s: %(total)s screenings in all. A category "
        "with fewer than 5 in a week is not drawn; the table shows it as “< 5”.",
        total=count_text(total),
        **span(data.starts),
    )
    chart = charts.bar_chart(
        pygal.StackedBar,
        "chart-weekly",
        labels,
        [(name, series.counts) for name, series in zip(names, data.series, strict=True)],
        title,
        description,
        show_minor_x_labels=False,
        x_labels_major_every=4,
        **charts.LEGEND_BELOW,
    )
    rows = [
        (label, [count_text(series.counts[n]) for series in data.series])
        for n, label in enumerate(labels)
    ]
    table = Table(_("Screenings sent per week, by category"), [_("Week of"), *names], rows)
    return Panel("weekly", title, description, chart, table)


def funnel_panel(db: Session, now: datetime, q: Questionnaire) -> Panel:
    """How far screenings started in the drafts' retention period came."""
    days = int(current_app.config["DRAFT_RETENTION_DAYS"])
    steps = always_shown_steps(q)
    data = dashboard.funnel(db, now - timedelta(days=days), len(steps))
    lang = current_language()
    names = [
        _("Started"),
        *(
            _("Step %(n)d: %(title)s", n=n, title=step.title.get(lang))
            for n, step in enumerate(steps, 1)
        ),
        _("Sent"),
    ]
    counts = [data.started, *data.reached, data.sent]
    title = _("How far screenings get")
    description = _(
        "Horizontal bars: of the %(started)s screenings started in the last %(days)d days "
        "(unfinished ones are deleted after that), how many finished each step that everyone "
        "is shown, and how many were sent. Steps shown only after some answers are not "
        "counted, and no answer is read.",
        started=count_text(data.started),
        days=days,
    )
    short = [_("Started"), *(_("Step %(n)d", n=n) for n in range(1, len(steps) + 1)), _("Sent")]
    chart_labels = [
        f"{label} ({count_text(count)})" for label, count in zip(short, counts, strict=True)
    ]
    # pygal draws the first label at the bottom: reversed, the funnel reads top to bottom.
    chart = charts.bar_chart(
        pygal.HorizontalBar,
        "chart-funnel",
        chart_labels[::-1],
        [(_("Screenings"), counts[::-1])],
        title,
        description,
        show_legend=False,
    )
    rows = []
    for n, (name, count) in enumerate(zip(names, counts, strict=True)):
        stopped = NOT_SHOWN if n == 0 else count_text(counts[n - 1] - count)
        share = (
            format_percent(count / data.started)
            if data.started and not dashboard.is_small(count)
            else NOT_SHOWN
        )
        rows.append((name, [count_text(count), share, stopped]))
    table = Table(
        _("Screenings started in the last %(days)d days, by how far they came", days=days),
        [_("Step"), _("Screenings"), _("Share of those started"), _("Stopped before this")],
        rows,
    )
    return Panel("funnel", title, description, chart, table)


def response_panel(db: Session, now: datetime) -> Panel:
    """Time from sending to the first call attempt, per week, against the clinic's promise."""
    promise = int(current_app.config["CLINIC_RESPONSE_DAYS"])
    weeks = dashboard.first_contact(db, now, clinic_zone())
    labels = [week_label(week.start) for week in weeks]
    median, ninetieth = dashboard.PERCENTILES

    def days(week: dashboard.ResponseWeek, percent: int) -> float | None:
        hours = week.hours[percent]
        return None if hours is None else round(hours / 24, 1)

    title = _("Days to the first call attempt")
    description = _(
        "Lines per week the screening was sent, from the week of %(first)s to the week of "
        "%(last)s: the median and the 90th percentile of the days until a clinician logged a "
        "first call or message (any outcome), and a flat line at %(promise)d days, the reply "
        "the confirmation page promises (%(promise)d business days: over a weekend the promise "
        "allows 2 more calendar days). A week with fewer than 5 people contacted has no point. "
        "Screenings nobody has tried to reach yet are counted in the table as still waiting.",
        promise=promise,
        **span([week.start for week in weeks]),
    )
    chart = charts.line_chart(
        "chart-response",
        labels,
        [
            (_("Median"), [days(week, median) for week in weeks], True),
            (_("90th percentile"), [days(week, ninetieth) for week in weeks], True),
            (
                _("Promise: %(days)d business days", days=promise),
                [float(promise)] * len(weeks),
                False,
            ),
        ],
        title,
        description,
    )
    rows = [
        (
            label,
            [
                count_text(week.contacted),
                count_text(week.waiting),
                days_text(week.hours[median]),
                days_text(week.hours[ninetieth]),
            ],
        )
        for label, week in zip(labels, weeks, strict=True)
    ]
    table = Table(
        _("Days to the first call attempt, per week sent (— when fewer than 5 were contacted)"),
        [_("Week of"), _("Contacted"), _("Still waiting"), _("Median"), _("90th percentile")],
        rows,
    )
    return Panel("response", title, description, chart, table)


def outcomes_panel(data: dashboard.Periods) -> Panel:
    """Where screenings sent each month stand now."""
    names = [str(STATUS_LABELS[series.key]) for series in data.series]
    labels = [month_label(day) for day in data.starts]
    title = _("Outcomes by month sent")
    description = _(
        "Grouped bars, one group per month from %(first)s to %(last)s (by the month the "
        "screening was sent): how many now stand at contacted, evaluation booked, not a fit "
        "and withdrawn. Screenings still new, in review or closed are not shown. A count "
        "under 5 is not drawn; the table shows it as “< 5”.",
        first=month_label(data.starts[0]),
        last=month_label(data.starts[-1]),
    )
    chart = charts.bar_chart(
        pygal.Bar,
        "chart-outcomes",
        # The month alone fits under its bars; the description and the table give the year.
        [format_date(day, "LLL") for day in data.starts],
        [(name, series.counts) for name, series in zip(names, data.series, strict=True)],
        title,
        description,
    )
    rows = [
        (label, [count_text(series.counts[n]) for series in data.series])
        for n, label in enumerate(labels)
    ]
    table = Table(_("Screenings by month sent and status now"), [_("Month"), *names], rows)
    return Panel("outcomes", title, description, chart, table)


def referral_panel(data: dashboard.Referrals, q: Questionnaire) -> Panel:
    """How people sent in the last six months heard of the clinic."""
    lang = current_language()
    item = q.role_item("referral-source")
    options = [(o.code, o.display.get(lang)) for o in item.options] if item else []
    known = {code for code, _name in options}
    if "other" not in known:
        options.append(("other", _("Somewhere else")))
    options.append((None, _("Not answered")))
    counts = [data.counts.get(code, 0) for code, _name in options]
    # Codes of an older definition that this one no longer offers count as "Somewhere else".
    strays = sum(n for code, n in data.counts.items() if code is not None and code not in known)
    if strays and "other" in known:
        counts[[code for code, _n in options].index("other")] += strays
    title = _("How people heard of the clinic")
    description = _(
        "Horizontal bars: the answers to “How did you hear about us?” in screenings sent "
        "since %(since)s. A source named by fewer than 5 people is not drawn; the labels and "
        "the table show it as “< 5”.",
        since=format_date(data.since, "medium"),
    )
    chart = charts.bar_chart(
        pygal.HorizontalBar,
        "chart-referrals",
        [f"{name} ({count_text(n)})" for (_code, name), n in zip(options, counts, strict=True)][
            ::-1
        ],
        [(_("Screenings"), counts[::-1])],
        title,
        description,
        show_legend=False,
    )
    rows = [(name, [count_text(n)]) for (_code, name), n in zip(options, counts, strict=True)]
    table = Table(
        _(
            "Screenings sent since %(since)s, by how they heard of the clinic",
            since=format_date(data.since, "medium"),
        ),
        [_("Source"), _("Screenings")],
        rows,
    )
    return Panel("referrals", title, description, chart, table)


def dashboard_panels(db: Session, q: Questionnaire) -> list[Panel]:
    """Every panel of the dashboard, as of now."""
    now = utcnow()
    outcomes, referrals = dashboard.monthly(db, now, clinic_zone())
    return [
        weekly_panel(db, now),
        funnel_panel(db, now, q),
        response_panel(db, now),
        outcomes_panel(outcomes),
        referral_panel(referrals, q),
    ]
