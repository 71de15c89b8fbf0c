"""Load the public site's Markdown pages: front matter, clinic tokens, rendering, sanitising.

Pages ship in ``screening/public/content/`` (English) and ``content/<lang>/`` (translations).
A clinic may replace any page by dropping a file with the same name into its override
directory (``instance/content/`` by default), so an admin edits words without touching code.
Two pages exist only there (``CLINIC_PAGES``: about us, fees) and join the menu once written;
their photos come from the ``photos/`` folder beside them, and from nowhere else.

Everything that reaches the browser passes through nh3 with a short allow-list, because the
files are edited by hand and may one day be edited by someone who pastes HTML from elsewhere.
This module is pure Python (no Flask) so it can be tested, and reused by a CLI, without an app.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"
"""Where the shipped pages live."""

DEFAULT_LANG = "en"

PAGES: tuple[str, ...] = (
    "home",
    "what-is-kap",
    "how-ketamine-works",
    "what-to-expect",
    "is-it-right-for-me",
    "costs",
    "reading-list",
    "faq",
    "contact",
    "privacy",
)
"""Every page the site ships, in menu order."""

CLINIC_PAGES: dict[str, str] = {"about": "home", "fees": "costs"}
"""Pages only a clinic writes (instance/content/about.md: its team, credentials, licence numbers
and photos; fees.md: its fees), each with the shipped page it follows in the menu. Without the
file the page does not exist and the menu does not name it."""

SERVED_PAGES: tuple[str, ...] = tuple(
    slug
    for shipped in PAGES
    for slug in (shipped, *[own for own, after in CLINIC_PAGES.items() if after == shipped])
)
"""Every page the site may serve, in menu order; a slug outside this tuple is never read."""

CLINIC_TOKENS: tuple[str, ...] = (
    "clinic_name",
    "clinic_phone",
    "clinic_email",
    "clinic_address",
    "clinic_city",
)
"""The tokens the shipped pages use; ``clinic_tokens()`` builds them from app config."""

ALLOWED_TAGS = frozenset(
    {
        "p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "blockquote",
        "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "hr", "br", "img",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    # A team photo: ![Dr Ana Ruiz](photos/ana-ruiz.jpg), served from the clinic's photo folder.
    "img": {"src", "alt"},
    # An anchor a page can link to, such as a reading-list entry (``reading-list#ref-…``).
    **{tag: {"id"} for tag in ("li", "h2", "h3", "h4")},
}
# Content ids live in their own namespace so a pasted id can never clash with one the layout
# owns (the skip link's "main", the error summary); any other id is dropped.
ANCHOR_ID_RE = re.compile(r"ref-[a-z0-9]+(?:-[a-z0-9]+)*")
PHOTOS_FOLDER = "photos"
"""The folder, inside the clinic's content folder, whose images pages may show."""
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".webp": "image/webp"}  # fmt: skip
"""The only files served as photos (no SVG: it can carry script), by extension."""
PHOTO_NAME_RE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.(?:jpe?g|png|webp)", re.I
)
# An image may only come from the photo folder, by a plain file name (no other site, no path).
_PHOTO_SRC_RE = re.compile(rf"{PHOTOS_FOLDER}/{PHOTO_NAME_RE.pattern}", re.I)
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# nh3 (ammonia) adds this to every <a>, not only external ones; on internal links it merely
# drops the Referer header, which suits pages about health anyway.
LINK_REL = "noopener noreferrer"

# attr_list gives an entry its anchor: a line "{#ref-zarate-2006}" under a list item.
MARKDOWN_EXTENSIONS = ("tables", "sane_lists", "attr_list")

_SLUG_RE = re.compile(r"[a-z0-9-]+")
_LANG_RE = re.compile(r"[a-z]{2}")
# Anything between double braces is a token slot; only known names are filled, the rest vanish,
# so a page can never smuggle template syntax ({{ config }}, {{ 7*7 }}) through to Jinja.
_TOKEN_RE = re.compile(r"\{\{(.*?)\}\}")
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)(.*)\Z", re.DOTALL)
# Characters that Markdown would treat as syntax inside a substituted value (an email such as
# a_b_c@example.org must not turn into emphasis); entities render as the same characters.
_MARKDOWN_ACTIVE = {"\\": "&#92;", "*": "&#42;", "_": "&#95;", "`": "&#96;", "[": "&#91;",
                    "]": "&#93;", "#": "&#35;", "|": "&#124;", "{": "&#123;",
                    "}": "&#125;"}  # fmt: skip


class PageNotFound(LookupError):
    """The slug or language names no page we ship or allow."""


class ContentError(ValueError):
    """A page file exists but cannot be used (bad front matter, missing title)."""


@dataclass(frozen=True)
class Page:
    """One rendered page, ready for the template."""

    slug: str
    title: str
    nav: str
    description: str
    order: int
    html: str
    lang: str
    """The language of the text actually served; "en" when a translation fell back."""


@dataclass(frozen=True)
class _Rendered:
    """What the cache keeps for one file: everything except slug and language."""

    title: str
    nav: str
    description: str
    order: int | None
    html: str


def clinic_tokens(config: Mapping[str, Any]) -> dict[str, str]:
    """Build the token mapping from app config keys such as ``CLINIC_NAME``."""
    return {name: str(config.get(name.upper()) or "") for name in CLINIC_TOKENS}


def load_page(
    slug: str,
    lang: str,
    *,
    package_dir: Path | str,
    override_dir: Path | str | None,
    clinic: Mapping[str, str],
) -> Page:
    """Find, parse and render one page, preferring the clinic's override."""
    path, served_lang, version = source_file(slug, lang, Path(package_dir), override_dir)
    rendered = _render_file(str(path), version[0], clinic_key(clinic))
    # A page without an 'order' keeps its place in PAGES (a clinic's own, its neighbour's).
    order = (
        PAGES.index(CLINIC_PAGES.get(slug, slug)) + 1 if rendered.order is None else rendered.order
    )
    return Page(
        slug=slug,
        title=rendered.title,
        nav=rendered.nav,
        description=rendered.description,
        order=order,
        html=rendered.html,
        lang=served_lang,
    )


def source_file(
    slug: str, lang: str, package_dir: Path, override_dir: Path | str | None
) -> tuple[Path, str, tuple[int, int]]:
    """Find the file a page is served from: its path, its language and (mtime_ns, size)."""
    if not isinstance(slug, str) or not _SLUG_RE.fullmatch(slug) or slug not in SERVED_PAGES:
        raise PageNotFound(slug)
    if not isinstance(lang, str) or not _LANG_RE.fullmatch(lang):
        raise PageNotFound(f"{lang}/{slug}")
    for path, served_lang in candidate_files(slug, lang, package_dir, override_dir):
        try:
            found = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        return path, served_lang, (found.st_mtime_ns, found.st_size)
    raise PageNotFound(f"{lang}/{slug}")


def override_files(override_dir: Path | str | None, lang: str) -> tuple[tuple[str, int, int], ...]:
    """List the clinic's page files `lang` may be served from, each with (mtime_ns, size):
    one directory listing per folder, so a site without overrides pays no stat at all."""
    if not override_dir:
        return ()
    folders = [Path(override_dir)]
    if lang != DEFAULT_LANG:
        folders.append(folders[0] / lang)
    found = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.removesuffix(".md") in SERVED_PAGES and entry.name.endswith(
                        ".md"
                    ):
                        info = entry.stat()
                        found.append((entry.path, info.st_mtime_ns, info.st_size))
        except (FileNotFoundError, NotADirectoryError):
            continue
    return tuple(sorted(found))


def list_pages(
    lang: str,
    *,
    package_dir: Path | str,
    override_dir: Path | str | None,
    clinic: Mapping[str, str],
) -> list[Page]:
    """Return every available page in menu order, for the navigation."""
    pages = []
    for slug in SERVED_PAGES:
        try:
            pages.append(
                load_page(
                    slug, lang, package_dir=package_dir, override_dir=override_dir, clinic=clinic
                )
            )
        except PageNotFound:
            # A page with no file anywhere is simply absent from the menu.
            continue
    return sorted(pages, key=lambda page: (page.order, SERVED_PAGES.index(page.slug)))


def render_markdown(source: str) -> str:
    """Render Markdown to HTML and keep only the allowed tags, attributes and URL schemes."""
    raw = markdown.markdown(source, extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    return nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_keep_attribute,
    )


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Keep an allowed attribute, except an id outside the content's own namespace."""
    if name == "id" and not ANCHOR_ID_RE.fullmatch(value):
        return None
    if tag == "img" and name == "src" and not _PHOTO_SRC_RE.fullmatch(value):
        return None
    return value


def substitute_tokens(text: str, clinic: Mapping[str, str], *, escape: bool) -> str:
    """Replace ``{{ name }}`` with the clinic's value; unknown names become empty text."""

    def replace(match: re.Match[str]) -> str:
        """Return the text for one token slot."""
        value = clinic.get(match.group(1).strip())
        if value is None:
            return ""
        # Collapse line breaks so a multi-line address cannot start a list or heading.
        value = " ".join(str(value).split())
        if not escape:
            return value
        value = html.escape(value, quote=True)
        return "".join(_MARKDOWN_ACTIVE.get(char, char) for char in value)

    return _TOKEN_RE.sub(replace, text)


def candidate_files(
    slug: str, lang: str, package_dir: Path, override_dir: Path | str | None
) -> list[tuple[Path, str]]:
    """List the files to try, best first, each with the language its text is in."""
    override = Path(override_dir) if override_dir else None
    english = [(package_dir / f"{slug}.md", DEFAULT_LANG)]
    if override is not None:
        english.insert(0, (override / f"{slug}.md", DEFAULT_LANG))
    if lang == DEFAULT_LANG:
        return english
    translated = [(package_dir / lang / f"{slug}.md", lang)]
    if override is not None:
        translated.insert(0, (override / lang / f"{slug}.md", lang))
    return translated + english


def clinic_key(clinic: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Freeze the clinic mapping so it can be part of a cache key."""
    return tuple(sorted((str(key), str(value)) for key, value in clinic.items()))


@functools.lru_cache(maxsize=256)
def _render_file(path: str, mtime_ns: int, clinic_items: tuple[tuple[str, str], ...]) -> _Rendered:
    """Parse and render one file; the mtime in the key makes an edited file re-render."""
    clinic = dict(clinic_items)
    text = Path(path).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    meta, body = _split_front_matter(text, path)
    title = _meta_text(meta, "title", path)
    if not title:
        raise ContentError(f"{path}: front matter has no 'title'")
    order = meta.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        raise ContentError(f"{path}: 'order' must be a whole number")
    # Front matter goes into templates, which escape it themselves: substitute raw values.
    title = substitute_tokens(title, clinic, escape=False).strip()
    nav = substitute_tokens(_meta_text(meta, "nav", path), clinic, escape=False).strip() or title
    description = substitute_tokens(
        _meta_text(meta, "description", path), clinic, escape=False
    ).strip()
    body_html = render_markdown(substitute_tokens(body, clinic, escape=True))
    return _Rendered(title=title, nav=nav, description=description, order=order, html=body_html)


def _split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str]:
    """Separate the YAML block between ``---`` lines from the Markdown body."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: front matter is not valid YAML: {exc}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: front matter must be a set of 'key: value' lines")
    return meta, match.group(2)


def _meta_text(meta: Mapping[str, Any], key: str, path: str) -> str:
    """Read one front-matter value as stripped text."""
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ContentError(f"{path}: '{key}' must be plain text")
    return str(value).strip()
