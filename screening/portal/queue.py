"""The clinician queue as queries: filters, exact search, sorting, counts and one page of rows.

Everything here runs on the plain, indexed columns (category rank, submission time, status,
assignee, follow-up date, blind indexes), so the queue stays fast however many screenings
there are. A page is one query in two steps: a subquery finds the 25 ids (an index-only
walk), then only those 25 rows are read; only their contact details are decrypted, never
the answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, load_only

from screening.clock import as_utc, clinic_zone, start_of_day
from screening.models import Clinician, Submission, SubmissionState
from screening.portal import counts
from screening.portal.calls import CallSummary, call_summaries
from screening.portal.contact_links import contact_link
from screening.portal.workflow import FINISHED_STATUSES, OPEN_STATUSES, STATUSES
from screening.questionnaire.flags import CATEGORIES
from screening.questionnaire.instruments import INSTRUMENTS
from screening.security.crypto import BlindIndex

# The covering indexes these queries rely on are declared on Submission (migration 0003b).
QUEUE_INDEX_COLUMNS = {
    index.name: tuple(column.name for column in index.columns)
    for index in Submission.__table__.indexes
    if index.name
    in {
        "ix_submissions_queue",
        "ix_submissions_status_queue",
        "ix_submissions_assignee_queue",
        "ix_submissions_submitted",
        "ix_submissions_follow_up",
    }
}

PAGE_SIZE = 25
SORTS = ("triage", "newest", "follow-up")
ASSIGNED_CHOICES = ("me", "unassigned")
SEARCH_KINDS = ("email", "phone", "name")
# A status filter may also ask for every screening still waiting for a clinician.
OPEN = "open"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
# Phone numbers have at least seven digits and few other characters: "(408) 555-0142".
_MIN_PHONE_DIGITS = 7
_PHONE_DIGIT_SHARE = 0.6


@dataclass(frozen=True)
class SearchMatch:
    """An exact search, kept as the keyed hash only: the typed text never reaches a URL."""

    kind: str
    digest: str

    def token(self) -> str:
        """Return the form carried in the queue's address, e.g. "email.3f2a…"."""
        return f"{self.kind}.{self.digest}"

    @classmethod
    def parse(cls, token: str | None) -> SearchMatch | None:
        """Read a token made by `token()`; anything malformed is ignored."""
        kind, _, digest = (token or "").partition(".")
        if kind in SEARCH_KINDS and _DIGEST.match(digest):
            return cls(kind, digest)
        return None


def classify_search(term: str) -> str:
    """Decide what a search term is by its shape: an email, a phone number or a name."""
    term = term.strip()
    if "@" in term:
        return "email"
    compact = "".join(term.split())
    digits = sum(ch.isdigit() for ch in compact)
    if digits >= _MIN_PHONE_DIGITS and digits >= _PHONE_DIGIT_SHARE * len(compact):
        return "phone"
    return "name"


def search_match(term: str, blind_index: BlindIndex) -> SearchMatch | None:
    """Turn a typed search into a blind-index match (None for an empty search)."""
    kind = classify_search(term)
    digest = getattr(blind_index, kind)(term)
    return SearchMatch(kind, digest) if digest else None


@dataclass(frozen=True)
class QueueFilter:
    """What the clinician asked to see; every field is optional."""

    category: str | None = None
    status: str | None = None
    assigned: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    match: SearchMatch | None = None
    sort: str = "triage"

    def __post_init__(self) -> None:
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        if self.status is not None and self.status not in (*STATUSES, OPEN):
            raise ValueError(f"unknown status {self.status!r}")
        if self.assigned is not None and self.assigned not in ASSIGNED_CHOICES:
            raise ValueError(f"unknown assignment filter {self.assigned!r}")
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}")

    def query_args(self) -> dict[str, str]:
        """Return the filter as query-string arguments (for links and the CSV export)."""
        args = {
            "category": self.category,
            "status": self.status,
            "assigned": self.assigned,
            "from_date": self.submitted_from.isoformat() if self.submitted_from else None,
            "to_date": self.submitted_to.isoformat() if self.submitted_to else None,
            "match": self.match.token() if self.match else None,
            "sort": self.sort if self.sort != "triage" else None,
        }
        return {key: value for key, value in args.items() if value}

    def audit_codes(self) -> dict[str, str]:
        """Return the filter for an audit event: codes only, never what was searched for."""
        codes = self.query_args()
        if self.match:
            codes["match"] = self.match.kind
        return codes

    @property
    def active(self) -> bool:
        """Whether anything narrows the queue (the follow-up sort lists only dated ones)."""
        return bool(set(self.query_args()) - {"sort"}) or self.sort == "follow-up"


def submitted_only() -> Select[Any]:
    """Start a query over submitted screenings; drafts are never listed."""
    return select(Submission.id).where(Submission.state == SubmissionState.SUBMITTED)


def apply_filter(query: Select[Any], f: QueueFilter, viewer_id: int | None) -> Select[Any]:
    """Narrow a submissions query by the filter (sorting is separate)."""
    if f.category is not None:
        # The rank, not the name: it is the second column of ix_submissions_queue.
        query = query.where(Submission.category_rank == CATEGORIES.index(f.category))
    if f.status == OPEN:
        query = query.where(Submission.status.in_(OPEN_STATUSES))
    elif f.status is not None:
        query = query.where(Submission.status == f.status)
    if f.assigned == "me":
        query = query.where(Submission.assignee_id == viewer_id)
    elif f.assigned == "unassigned":
        query = query.where(Submission.assignee_id.is_(None))
    if f.submitted_from is not None:
        query = query.where(
            Submission.submitted_at >= start_of_day(f.submitted_from, clinic_zone())
        )
    if f.submitted_to is not None:
        query = query.where(
            Submission.submitted_at
            < start_of_day(f.submitted_to + timedelta(days=1), clinic_zone())
        )
    if f.match is not None:
        column = {
            "email": Submission.email_index,
            "phone": Submission.phone_index,
            "name": Submission.name_index,
        }[f.match.kind]
        # As a subquery: SQLite then reads the blind index for the few matching ids instead
        # of walking the queue's order index and reading every row to compare hashes.
        query = query.where(
            Submission.id.in_(select(Submission.id).where(column == f.match.digest))
        )
    if f.sort == "follow-up":
        query = query.where(Submission.follow_up_on.is_not(None))
    return query


def apply_order(query: Select[Any], f: QueueFilter) -> Select[Any]:
    """Order by the chosen sort; the default is urgent first, then oldest first."""
    if f.sort == "newest":
        return query.order_by(Submission.submitted_at.desc(), Submission.id.desc())
    if f.sort == "follow-up":
        return query.order_by(
            Submission.follow_up_on,
            Submission.category_rank,
            Submission.submitted_at,
            Submission.id,
        )
    rank: Any = Submission.category_rank
    if f.status == OPEN:
        # "+ 0" stops SQLite walking ix_submissions_queue for its order and reading every row
        # to test the status; it takes the two status ranges from the covering status index
        # and sorts only the matches instead (few, in a clinic that keeps up).
        rank = Submission.category_rank + 0
    return query.order_by(rank, Submission.submitted_at, Submission.id)


def queue_query(f: QueueFilter, viewer_id: int | None) -> Select[Any]:
    """Return the filtered, ordered query of submission ids."""
    return apply_order(apply_filter(submitted_only(), f, viewer_id), f)


@dataclass
class QueueRow:
    """One line of the queue: the only place contact details are decrypted."""

    public_id: str
    name: str
    category: str | None
    status: str
    language: str
    submitted_at: datetime | None
    phq9_total: int | None
    gad7_total: int | None
    assignee: str | None
    follow_up_on: date | None
    overdue: bool
    first_opened_at: datetime | None = None
    first_opened_by: str | None = None
    # In the queue before the person sent it (a risk screening: see screening.intake.reach).
    unfinished: bool = False
    calls: CallSummary | None = None
    # How to reach them, from the contact details (codes of the definition's options).
    phone: str | None = None
    email: str | None = None
    method: str | None = None
    times: tuple[str, ...] = ()
    voicemail_ok: bool | None = None

    @property
    def reach_link(self) -> str | None:
        """A tappable link for the way they asked to be contacted: tel:, sms: or mailto:."""
        return contact_link(self.method, self.phone, self.email)

    def waited(self, now: datetime) -> timedelta | None:
        """How long the screening waited for a clinician: until opened, or until `now`."""
        if self.submitted_at is None:
            return None
        until = self.first_opened_at or now
        return as_utc(until) - as_utc(self.submitted_at)

    @property
    def last_tried_at(self) -> datetime | None:
        """When someone last tried to reach them; when it was sent if nobody has yet."""
        moment = self.calls.last_at if self.calls else self.submitted_at
        return None if moment is None else as_utc(moment)

    def since_sent(self, now: datetime) -> timedelta | None:
        """How long ago the screening was sent (or queued unfinished)."""
        return None if self.submitted_at is None else as_utc(now) - as_utc(self.submitted_at)

    @property
    def phq9_band(self) -> str | None:
        """The PHQ-9 severity band of the total."""
        return INSTRUMENTS["phq9"].band(self.phq9_total) if self.phq9_total is not None else None

    @property
    def gad7_band(self) -> str | None:
        """The GAD-7 severity band of the total."""
        return INSTRUMENTS["gad7"].band(self.gad7_total) if self.gad7_total is not None else None


@dataclass
class QueuePage:
    """One page of the queue and where it sits in the whole."""

    rows: list[QueueRow]
    page: int
    total: int
    page_size: int = PAGE_SIZE
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, -(-self.total // self.page_size))

    @property
    def first_index(self) -> int:
        """The 1-based position of the first row on this page."""
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        """The 1-based position of the last row on this page."""
        return min(self.page * self.page_size, self.total)


# The queue shows these; answers, flags and scores stay encrypted and unread.
ROW_COLUMNS = (
    Submission.id,
    Submission.public_id,
    Submission.contact,
    Submission.triage_category,
    Submission.status,
    Submission.language,
    Submission.submitted_at,
    Submission.phq9_total,
    Submission.gad7_total,
    Submission.assignee_id,
    Submission.follow_up_on,
    Submission.first_opened_at,
    Submission.first_opened_by_id,
    Submission.unfinished,
)
# The clinician who opened a screening first, beside the one it is assigned to.
FirstOpener = aliased(Clinician)


def is_overdue(submission: Submission, today: date) -> bool:
    """A follow-up date in the past on a screening that is not finished."""
    return (
        submission.follow_up_on is not None
        and submission.follow_up_on < today
        and submission.status not in FINISHED_STATUSES
    )


def count_matching(db: Session, f: QueueFilter, viewer_id: int | None) -> int:
    """Count the screenings that match the filter."""
    query = apply_filter(
        select(func.count())
        .select_from(Submission)
        .where(Submission.state == SubmissionState.SUBMITTED),
        f,
        viewer_id,
    )
    return int(db.scalar(query) or 0)


def load_page(
    db: Session,
    f: QueueFilter,
    viewer_id: int | None,
    page: int,
    today: date,
    *,
    total: int | None = None,
) -> QueuePage:
    """Return one page of the queue (page numbers start at 1 and are clamped).

    Pass `total` when it is already known (the unfiltered queue: the summary's total).
    """
    if total is None:
        total = count_matching(db, f, viewer_id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # One round trip: the page's ids from the index (the subquery), then only those rows
    # and their assignees' names, put back in the queue's order.
    ids = queue_query(f, viewer_id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    query = rows_query().where(Submission.id.in_(ids.scalar_subquery()))
    return QueuePage(rows=read_rows(db, apply_order(query, f), today), page=page, total=total)


def read_rows(db: Session, query: Select[Any], today: date) -> list[QueueRow]:
    """Turn (submission, assignee name, first opener name) rows into queue rows."""
    found = db.execute(query).all()
    # One more indexed query for the rows' call attempts (never their notes).
    calls = call_summaries(db, (s.id for s, _assignee, _opener in found))
    rows = []
    for s, assignee, opener in found:
        contact = s.contact or {}
        rows.append(
            QueueRow(
                public_id=s.public_id,
                name=contact.get("name") or "",
                category=s.triage_category,
                status=s.status,
                language=s.language,
                submitted_at=s.submitted_at,
                phq9_total=s.phq9_total,
                gad7_total=s.gad7_total,
                assignee=assignee,
                follow_up_on=s.follow_up_on,
                overdue=is_overdue(s, today),
                first_opened_at=s.first_opened_at,
                first_opened_by=opener,
                unfinished=s.unfinished,
                calls=calls.get(s.id),
                phone=contact.get("phone"),
                email=contact.get("email"),
                method=contact.get("method"),
                times=tuple(contact.get("times") or ()),
                voicemail_ok=contact.get("voicemail_ok"),
            )
        )
    return rows


def rows_query() -> Select[Any]:
    """Select submissions with the names of their assignee and first opener, row columns only."""
    return (
        select(Submission, Clinician.name, FirstOpener.name)
        .outerjoin(Clinician, Clinician.id == Submission.assignee_id)
        .outerjoin(FirstOpener, FirstOpener.id == Submission.first_opened_by_id)
        .options(load_only(*ROW_COLUMNS))
    )


@dataclass(frozen=True)
class QueueSummary:
    """How many submitted screenings there are by category and status, and urgent open ones."""

    by_category: dict[str, int]
    by_status: dict[str, int]
    urgent_open: int
    # Every (status, category rank) cell, from which counts of simple filters are summed.
    cells: dict[counts.Cell, int] = field(default_factory=dict)
    ledger_rows: int = 0

    @property
    def total(self) -> int:
        """Every submitted screening."""
        return sum(self.cells.values())

    @property
    def needs_fold(self) -> bool:
        """Whether the counts ledger has grown enough to be folded."""
        return self.ledger_rows > counts.FOLD_AFTER_ROWS

    def count(self, f: QueueFilter) -> int | None:
        """Count what `f` matches when it narrows by category and status only, else None."""
        if set(f.query_args()) - {"category", "status", "sort"} or f.sort == "follow-up":
            return None
        rank = CATEGORIES.index(f.category) if f.category is not None else None
        statuses = OPEN_STATUSES if f.status == OPEN else (f.status,)
        return sum(
            number
            for (status, cell_rank), number in self.cells.items()
            if (f.category is None or cell_rank == rank)
            and (f.status is None or status in statuses)
        )


def queue_summary(db: Session) -> QueueSummary:
    """Count by category and status from the counts ledger (a few dozen rows, never a scan)."""
    cells, ledger_rows = counts.read_counts(db)
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    urgent_open = 0
    for (status, rank), number in cells.items():
        by_status[status] = by_status.get(status, 0) + number
        if rank is not None and 0 <= rank < len(CATEGORIES):
            by_category[CATEGORIES[rank]] += number
        if rank == 0 and status in OPEN_STATUSES:
            urgent_open += number
    return QueueSummary(by_category, by_status, urgent_open, cells, ledger_rows)


def iter_matching(
    db: Session,
    f: QueueFilter,
    viewer_id: int | None,
    *,
    columns: tuple[str, ...] | None = None,
    batch: int = 500,
) -> Iterator[Submission]:
    """Yield every matching submission in queue order, `batch` rows in memory at a time.

    `columns` limits what is loaded (and so decrypted) to the attributes an export needs.
    """
    query = select(Submission).where(Submission.state == SubmissionState.SUBMITTED)
    query = apply_order(apply_filter(query, f, viewer_id), f)
    if columns:
        query = query.options(load_only(*(getattr(Submission, name) for name in columns)))
    yield from db.scalars(query.execution_options(yield_per=batch))
