"""Tests for the public content loader and the shipped Markdown pages."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
import yaml

from screening.public.content import (
    CONTENT_DIR,
    PAGES,
    ContentError,
    Page,
    PageNotFound,
    clinic_tokens,
    list_pages,
    load_page,
)

CLINIC = {
    "clinic_name": "Test Clinic",
    "clinic_phone": "(408) 555-0100",
    "clinic_email": "intake_team@example.org",
    "clinic_address": "1 Test Street, Gilroy, CA",
    "clinic_city": "Gilroy",
}
LANGS = ("en", "es")
FRONT_MATTER_KEYS = {"title", "nav", "description", "order"}

# Every reference on the clinic's earlier page, by title; each must stay on the reading list.
SEED_REFERENCE_TITLES = (
    "Listening to Ketamine",
    "I Was Paralyzed by Severe Depression. Then Came Ketamine.",
    "What I wish I'd known before ketamine therapy",
    "Worth the trip: psychedelics as an emerging tool for psychotherapy",
    "Ketamine—50 years in use: from anesthesia to rapid antidepressant effects and "
    "neurobiological mechanisms",
    "Is (R)-ketamine a potential therapeutic agent for treatment-resistant depression with "
    "less detrimental side effects? A review of molecular mechanisms underlying ketamine and "
    "its enantiomers",
    "Ketamine Assisted Psychotherapy (KAP): Patient Demographics, Clinical Data and Outcomes "
    "in Three Large Practices Administering Ketamine with Psychotherapy",
    "Ketamine as an antidepressant: overview of its mechanisms of action and potential "
    "predictive biomarkers",
    "Ketamine for treatment-resistant depression: recent developments and clinical applications",
    "Repurposing Ketamine in Depression and Related Disorders: Can This Enigmatic Drug "
    "Achieve Success?",
    "MDMA-assisted therapy for severe PTSD: a randomized, double-blind, placebo-controlled "
    "phase 3 study",
    "Breakthrough for Trauma Treatment: Safety and Efficacy of MDMA-Assisted Psychotherapy "
    "Compared to Paroxetine and Sertraline",
    "Neural mechanisms underlying psilocybin's therapeutic potential \u2013 the need for "
    "preclinical in vivo electrophysiology",
)
SEED_OUTLETS = (
    "BrainFacts.org",
    "The New York Times",
    "Science in the News",
    "Pharmacological Reports",
    "Biochemical Pharmacology",
    "Journal of Psychoactive Drugs",
    "Therapeutic Advances in Psychopharmacology",
    "British Medical Journal",
    "Frontiers in Neuroscience",
    "Nature Medicine",
    "Frontiers in Psychiatry",
    "Journal of Psychopharmacology",
    "Journal of the Royal Society Interface",
)

# The prose of the clinic's earlier page; the new pages must be written fresh, not copied.
SEED_PROSE = (
    "We are excited to be able to provide ketamine for treating mental health problems, here "
    "in Gilroy. There are over 20 years of research suggesting ketamine has healing and "
    "symptom reducing effects on a wide variety of mental health problems. While many people "
    "are helped with standard mental health medications and psychotherapy, many also continue "
    "to struggle with symptoms that don't abate. Ketamine can bridge the gap between current "
    "treatments with the hope of a novel treatment in the medication itself, but also in the "
    "combination of ketamine and psychotherapy's powerful synergy that can speed up the "
    "healing work you already do in therapy. How Ketamine Works We don't know exactly why or "
    "how ketamine works, but it is believed to work in the brain in multiple ways by "
    "affecting neurotransmission (the psychological chemicals in the brain). It most directly "
    "works on the neurotransmitter glutamate through the AMPA receptor and has downstream "
    "effects on other neurotransmitters that are involved in reducing depression and anxiety, "
    "as well as other mental health symptoms, reducing inflammation, and increasing BDNF-all "
    "to the benefit of your mental health. Increasing BDNF results in brain neurogenesis and "
    "neuroplasticity, which are the brain's ability to form new neurons or parts of neurons "
    "(eg: dendritic spines) and the ability of neural networks to change by growing and "
    "reorganizing, basically improving connectivity in the brain. So, the brain actually "
    "changes and improves its physical structure and how it functions after receiving "
    "ketamine (the same happens with psilocybin) and the net effect of ketamine is the "
    "potential to reduce mental health symptoms and the emotional suffering they cause. Some "
    "of these effects may be short lived, others are longer lasting and may be why some "
    "people need ongoing treatment with ketamine. New dendritic spines in a rat brain form on "
    "the neuron just 2 hours after ketamine exposure in the bottom picture where the yellow "
    "arrows show the new spines. The top dendrite is before ketamine. From Rong-Jian Liu, "
    "George Aghajanian & Ronald S. Duman. Ketamine can also create a meaningful "
    "psycho-spiritual experience. The psychedelic, dissociative, or trance effects of "
    "ketamine can be deeply meaningful spiritual or psychological experiences that can help a "
    "person see previous experiences, themselves, or others from an array of healing "
    "perspectives. Sometimes the effects of ketamine are short lived, and other times they "
    "are long lasting. Ketamine is not a panacea, as much as I wish it were, but for some "
    "people it can have a profound effect on mental health symptoms, seemingly, about 60% of "
    "people respond positively to ketamine. For more on information on ketamine I suggest "
    "reading Listening to Ketamine or Ketamine—50 years in use: from anesthesia to rapid "
    "antidepressant effects and neurobiological mechanisms which is a great, though "
    "technical, read as well. For more information about Ketamine Assisted Psychotherapy "
    "benefits, see the Journal of Psychoactive Drugs article. Contact us to learn more about "
    "how ketamine could help you or to schedule an evaluation. Visualization of the brain "
    "connections in the brain of a person on psilocybin (right) and the brain of a person not "
    "given the drug (left) showing higher connectivity and plasticity after psilocybin. From "
    "the Journal of the Royal Society Interface."
)


# --- helpers ------------------------------------------------------------------------------


def load(slug: str, lang: str = "en", **overrides: object) -> Page:
    """Load a page with the shipped content and the test clinic unless overridden."""
    options: dict[str, object] = {
        "package_dir": CONTENT_DIR,
        "override_dir": None,
        "clinic": CLINIC,
    }
    options.update(overrides)
    return load_page(slug, lang, **options)  # type: ignore[arg-type]


def write_page(
    directory: Path, slug: str, *, title: str = "A title", body: str = "Some text.", **meta: object
) -> Path:
    """Write one Markdown page with front matter and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    front = {"title": title, "nav": title, "description": "About it.", "order": 1, **meta}
    path = directory / f"{slug}.md"
    path.write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n\n{body}\n", "utf-8")
    return path


def shipped_path(slug: str, lang: str) -> Path:
    """Return where a shipped page lives."""
    return CONTENT_DIR / f"{slug}.md" if lang == "en" else CONTENT_DIR / lang / f"{slug}.md"


def split_source(path: Path) -> tuple[dict[str, object], str]:
    """Read a shipped file as (front matter, Markdown body)."""
    text = path.read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def normalise(text: str) -> str:
    """Lower-case and keep only letters and digits, single-spaced."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def visible_text(page: Page) -> str:
    """Return the page's HTML as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page.html))


# --- shipped pages ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", PAGES)
def test_every_shipped_page_loads(slug: str, lang: str) -> None:
    page = load(slug, lang)
    assert page.slug == slug
    assert page.lang == lang
    assert page.title and page.nav and page.description
    assert page.html.startswith("<")
    assert "{{" not in page.html and "{{" not in page.title + page.description


@pytest.mark.parametrize("lang", LANGS)
def test_shipped_files_are_exactly_the_known_pages(lang: str) -> None:
    directory = CONTENT_DIR if lang == "en" else CONTENT_DIR / lang
    assert sorted(path.stem for path in directory.glob("*.md")) == sorted(PAGES)


@pytest.mark.parametrize("slug", PAGES)
def test_spanish_page_has_same_front_matter_keys_and_order(slug: str) -> None:
    english, _ = split_source(shipped_path(slug, "en"))
    spanish, _ = split_source(shipped_path(slug, "es"))
    assert set(english) == set(spanish) == FRONT_MATTER_KEYS
    assert english["order"] == spanish["order"]


@pytest.mark.parametrize("slug", PAGES)
def test_spanish_page_keeps_the_english_structure(slug: str) -> None:
    _, english = split_source(shipped_path(slug, "en"))
    _, spanish = split_source(shipped_path(slug, "es"))
    for marker in ("## ", "### "):
        count = [
            sum(line.startswith(marker) for line in body.splitlines())
            for body in (english, spanish)
        ]
        assert count[0] == count[1], marker
    assert re.findall(r"\]\(([^)]*)\)", english) == re.findall(r"\]\(([^)]*)\)", spanish)


def test_menu_lists_every_page_in_order() -> None:
    for lang in LANGS:
        pages = list_pages(lang, package_dir=CONTENT_DIR, override_dir=None, clinic=CLINIC)
        assert [page.slug for page in pages] == list(PAGES)
        assert [page.order for page in pages] == sorted(page.order for page in pages)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", PAGES)
def test_shipped_markdown_has_no_raw_html_and_no_body_h1(slug: str, lang: str) -> None:
    _, body = split_source(shipped_path(slug, lang))
    assert not re.search(r"<[A-Za-z!/]", body)
    assert not any(line.startswith("# ") for line in body.splitlines())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", PAGES)
def test_clinic_details_only_come_from_tokens(slug: str, lang: str) -> None:
    source = shipped_path(slug, lang).read_text("utf-8")
    without_urls = re.sub(r"\]\([^)]*\)", "]", source)
    for candidate in re.findall(r"\+?\d[\d\s().-]{5,}\d", without_urls):
        digits = re.sub(r"\D", "", candidate)
        assert len(digits) < 7 or digits in {"988", "911", "741741"}, candidate
    assert "Gilroy" not in source
    assert "@" not in without_urls.replace("{{ clinic_email }}", "")


def test_internal_links_point_at_known_pages() -> None:
    for lang in LANGS:
        for slug in PAGES:
            _, body = split_source(shipped_path(slug, lang))
            for target in re.findall(r"\]\(([^)]*)\)", body):
                if not target.startswith(("https://", "mailto:")):
                    # An anchor (reading-list#ref-…) is checked by test_citations.py.
                    assert target.partition("#")[0] in PAGES, (slug, target)


@pytest.mark.parametrize("lang", LANGS)
def test_reading_list_names_every_seed_reference(lang: str) -> None:
    text = " ".join(visible_text(load("reading-list", lang)).split())
    missing = [title for title in SEED_REFERENCE_TITLES if title not in text]
    assert missing == []
    assert [outlet for outlet in SEED_OUTLETS if outlet not in text] == []


@pytest.mark.parametrize("lang", LANGS)
def test_reading_list_links_are_plain_https(lang: str) -> None:
    page = load("reading-list", lang)
    hrefs = re.findall(r'href="([^"]+)"', page.html)
    assert hrefs and all(href.startswith("https://") for href in hrefs)
    assert "<img" not in page.html


# Entries whose article we could not find at a confirmed address (title search only), and the
# clinic's own estimate, which is not a publication.
UNLINKED_ENTRIES = (
    "Listening to Ketamine",
    "I Was Paralyzed by Severe Depression",
    "What I wish I'd known before ketamine therapy",
    "Worth the trip",
    "Ketamine for treatment-resistant depression: recent developments",
    "{{ clinic_name }}",
)


@pytest.mark.parametrize("lang", LANGS)
def test_every_reading_list_entry_links_to_its_source_where_one_is_known(lang: str) -> None:
    _, body = split_source(shipped_path("reading-list", lang))
    entries = [line for line in body.splitlines() if line.startswith("- ")]
    unlinked = [line for line in entries if "](https://" not in line]
    assert len(entries) > 20
    assert [e for e in unlinked if not any(title in e for title in UNLINKED_ENTRIES)] == []
    assert len(unlinked) == len(UNLINKED_ENTRIES)


@pytest.mark.parametrize("lang", LANGS)
def test_reading_list_says_mdma_therapy_was_not_approved(lang: str) -> None:
    text = visible_text(load("reading-list", lang))
    assert "2024" in text and "FDA" in text
    not_approved = {"en": "not an approved treatment", "es": "no es un tratamiento aprobado"}
    assert not_approved[lang] in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", PAGES)
def test_no_long_sentence_is_copied_from_the_seed_page(slug: str, lang: str) -> None:
    seed_sentences = [normalise(sentence) for sentence in re.split(r"(?<=[.!?])\s+", SEED_PROSE)]
    long_ones = [sentence for sentence in seed_sentences if len(sentence.split()) >= 12]
    assert len(long_ones) > 10  # the check is only meaningful if the seed was split well
    page_text = normalise(shipped_path(slug, lang).read_text("utf-8"))
    copied = [sentence for sentence in long_ones if sentence in page_text]
    assert copied == []


@pytest.mark.parametrize("lang", LANGS)
def test_privacy_notice_states_its_version(lang: str) -> None:
    assert "2026-11" in visible_text(load("privacy", lang))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", ["home", "what-to-expect", "is-it-right-for-me", "faq", "contact"])
def test_pages_about_the_screening_give_the_crisis_line(slug: str, lang: str) -> None:
    assert "988" in visible_text(load(slug, lang))


@pytest.mark.parametrize("slug", PAGES)
def test_spanish_crisis_lines_say_oprima_2_to_callers_and_ayuda_to_texters(slug: str) -> None:
    # "Press 2" is a phone menu: a person who texts 988 or 741741 in Spanish sends AYUDA.
    _, body = split_source(shipped_path(slug, "es"))
    for line in body.splitlines():
        for texting in re.finditer(r"mensaje de texto al \*\*(?:988|741741)\*\*", line):
            assert line[: texting.start()].endswith("**AYUDA** por "), line
        if "oprima 2" in line:
            before = line[: line.index("oprima 2")]
            assert "lame" in before and "mensaje de texto" not in before, line
    assert "988" not in body or "**AYUDA**" in body


# --- loader behaviour ---------------------------------------------------------------------


def test_override_wins_over_shipped_page(tmp_path: Path) -> None:
    write_page(tmp_path, "faq", title="Clinic FAQ", body="Our own answers.")
    page = load("faq", override_dir=tmp_path)
    assert page.title == "Clinic FAQ"
    assert "Our own answers." in page.html


def test_spanish_override_wins_over_shipped_spanish(tmp_path: Path) -> None:
    write_page(tmp_path / "es", "faq", title="Preguntas de la clínica")
    page = load("faq", "es", override_dir=tmp_path)
    assert page.title == "Preguntas de la clínica"
    assert page.lang == "es"


def test_english_override_does_not_replace_shipped_spanish(tmp_path: Path) -> None:
    write_page(tmp_path, "faq", title="Clinic FAQ")
    assert load("faq", "es", override_dir=tmp_path).title == "Preguntas frecuentes"


def test_spanish_falls_back_to_english_when_missing(tmp_path: Path) -> None:
    package = tmp_path / "package"
    write_page(package, "costs", title="Costs", body="Ask us.")
    page = load("costs", "es", package_dir=package, override_dir=tmp_path / "none")
    assert page.title == "Costs"
    assert page.lang == "en"


def test_spanish_fallback_prefers_the_english_override(tmp_path: Path) -> None:
    package, override = tmp_path / "package", tmp_path / "override"
    write_page(package, "costs", title="Shipped costs")
    write_page(override, "costs", title="Clinic costs")
    page = load("costs", "es", package_dir=package, override_dir=override)
    assert (page.title, page.lang) == ("Clinic costs", "en")


def test_language_without_translations_falls_back_to_english() -> None:
    page = load("home", "fr")
    assert page.lang == "en"
    assert page.title == load("home").title


def test_missing_override_dir_is_fine(tmp_path: Path) -> None:
    assert load("home", override_dir=tmp_path / "does-not-exist").slug == "home"
    assert load("home", override_dir=str(tmp_path / "does-not-exist")).slug == "home"


def test_page_missing_everywhere_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(PageNotFound):
        load("faq", package_dir=tmp_path, override_dir=tmp_path)


@pytest.mark.parametrize(
    "slug",
    ["nope", "../secret", "..", "../home", "home/../faq", "HOME", "home.md", "faq/", "", "fa q"],
)
def test_unknown_and_traversal_slugs_are_not_found(slug: str) -> None:
    with pytest.raises(PageNotFound):
        load(slug)


@pytest.mark.parametrize("lang", ["../..", "es/..", "", "ES", "spanish", "e"])
def test_malformed_language_is_not_found(lang: str) -> None:
    with pytest.raises(PageNotFound):
        load("home", lang)


def test_tokens_are_substituted_and_escaped(tmp_path: Path) -> None:
    write_page(
        tmp_path,
        "contact",
        title="Contact {{ clinic_name }}",
        body="Call {{clinic_phone}} or write to "
        "[{{ clinic_email }}](mailto:{{ clinic_email }}).\n\nWelcome to {{ clinic_name }}.",
    )
    clinic = {**CLINIC, "clinic_name": '<script>alert("x")</script> & *Co*'}
    page = load("contact", override_dir=tmp_path, clinic=clinic)
    assert "&lt;script&gt;alert(" in page.html
    assert "<script" not in page.html
    assert "*Co*" in page.html  # Markdown syntax in a value stays literal
    assert "(408) 555-0100" in page.html
    assert 'href="mailto:intake_team@example.org"' in page.html
    # The template escapes titles itself, so front matter gets the raw value.
    assert page.title == 'Contact <script>alert("x")</script> & *Co*'


def test_clinic_value_cannot_add_attributes_or_anchors(tmp_path: Path) -> None:
    write_page(tmp_path, "contact", body="- Ask {{ clinic_name }}\n  {#ref-x}")
    page = load("contact", override_dir=tmp_path, clinic={**CLINIC, "clinic_name": "Us {#main}"})
    assert '<li id="ref-x">Ask Us {#main}</li>' in page.html


def test_only_reference_anchors_keep_their_id(tmp_path: Path) -> None:
    body = "## Sources {#ref-sources}\n\n- One\n  {#ref-one}\n- Two\n  {#main}\n\nText {#ref-p}"
    write_page(tmp_path, "faq", body=body)
    html_out = load("faq", override_dir=tmp_path).html
    assert re.findall(r'id="([^"]*)"', html_out) == ["ref-sources", "ref-one"]


def test_multi_line_clinic_value_cannot_change_the_page_structure(tmp_path: Path) -> None:
    write_page(tmp_path, "contact", body="Visit us at {{ clinic_address }}.")
    clinic = {**CLINIC, "clinic_address": "1 Test Street\n\n# Heading\n- item"}
    page = load("contact", override_dir=tmp_path, clinic=clinic)
    assert "<h1" not in page.html and "<li" not in page.html


def test_unknown_tokens_are_left_out_never_evaluated(tmp_path: Path) -> None:
    write_page(
        tmp_path,
        "home",
        title="Hi {{ secret_key }}",
        body="A{{ config }}B {{ 7*7 }} C{{ self.__init__ }}D {{ clinic_city }}",
    )
    page = load("home", override_dir=tmp_path)
    assert page.title == "Hi"
    text = visible_text(page)
    assert "AB" in text and "CD" in text and "Gilroy" in text
    assert "49" not in text and "{{" not in text and "config" not in text


def test_raw_html_and_javascript_links_are_stripped(tmp_path: Path) -> None:
    body = (
        "<script>alert(1)</script>\n\n"
        '<div onclick="steal()" style="color:red">Kept text</div>\n\n'
        '<img src="https://tracker.example/pixel.gif" onerror="alert(2)">\n\n'
        '<iframe src="https://evil.example"></iframe>\n\n'
        "[click](javascript:alert(3)) and [data](data:text/html,hi) and "
        '<a href="javascript:alert(4)">raw</a> and <a href="/faq" onmouseover="x()">ok</a>\n\n'
        "<!-- a comment -->"
    )
    write_page(tmp_path, "faq", body=body)
    page = load("faq", override_dir=tmp_path)
    lowered = page.html.lower()
    # An <img> stays only without its src: pages show photos from the clinic's folder alone.
    for forbidden in ("<script", "alert(", "onclick", "style=", "tracker.example",
                      "onerror", "<iframe", "<div", "javascript:", "data:", "onmouseover",
                      "<!--"):  # fmt: skip
        assert forbidden not in lowered, forbidden
    assert "Kept text" in page.html
    assert 'href="/faq"' in page.html


def test_external_links_get_noopener(tmp_path: Path) -> None:
    write_page(tmp_path, "faq", body="[A study](https://example.org/study) [FAQ](faq)")
    page = load("faq", override_dir=tmp_path)
    assert re.search(
        r'<a href="https://example.org/study" rel="noopener noreferrer">A study</a>', page.html
    )


def test_only_allowed_tags_survive(tmp_path: Path) -> None:
    body = (
        "## Heading\n\n### Sub\n\n**bold** *em* `code`\n\n> quote\n\n1. one\n2. two\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n    preformatted\n"
    )
    write_page(tmp_path, "faq", body=body)
    tags = set(re.findall(r"<([a-z0-9]+)", load("faq", override_dir=tmp_path).html))
    assert tags <= {
        "p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "blockquote",
        "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "hr", "br",
    }  # fmt: skip
    assert {"h2", "h3", "table", "blockquote", "ol", "pre", "hr"} <= tags


def test_missing_title_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text("---\nnav: FAQ\n---\nText\n", "utf-8")
    with pytest.raises(ContentError, match=re.escape(str(path))):
        load("faq", override_dir=tmp_path)


def test_file_without_front_matter_is_a_content_error(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text("Just text\n", "utf-8")
    with pytest.raises(ContentError, match="title"):
        load("faq", override_dir=tmp_path)


@pytest.mark.parametrize(
    "front", ["title: [unclosed", "- a list", "title: T\norder: soon", "title: {a: 1}"]
)
def test_bad_front_matter_is_a_content_error(tmp_path: Path, front: str) -> None:
    (tmp_path / "faq.md").write_text(f"---\n{front}\n---\nText\n", "utf-8")
    with pytest.raises(ContentError):
        load("faq", override_dir=tmp_path)


def test_front_matter_is_parsed_safely(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text(
        "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\nText\n", "utf-8"
    )
    with pytest.raises(ContentError):
        load("faq", override_dir=tmp_path)


def test_nav_and_order_default_sensibly(tmp_path: Path) -> None:
    (tmp_path / "costs.md").write_text("---\ntitle: Money\n---\nText\n", "utf-8")
    page = load("costs", override_dir=tmp_path)
    assert page.nav == "Money"
    assert page.order == PAGES.index("costs") + 1
    assert page.description == ""


def test_windows_line_endings_and_bom_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_bytes(
        "\ufeff---\r\ntitle: Windows\r\norder: 3\r\n---\r\n\r\n## Hello\r\n".encode()
    )
    page = load("faq", override_dir=tmp_path)
    assert (page.title, page.order) == ("Windows", 3)
    assert "<h2>Hello</h2>" in page.html


def test_edited_file_is_rendered_again(tmp_path: Path) -> None:
    path = write_page(tmp_path, "faq", title="First")
    assert load("faq", override_dir=tmp_path).title == "First"
    write_page(tmp_path, "faq", title="Second")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load("faq", override_dir=tmp_path).title == "Second"


def test_changed_clinic_details_are_rendered_again() -> None:
    first = load("contact", clinic={**CLINIC, "clinic_phone": "111"})
    second = load("contact", clinic={**CLINIC, "clinic_phone": "222"})
    assert "111" in first.html and "222" in second.html


def test_list_pages_sorts_by_order_and_skips_missing(tmp_path: Path) -> None:
    write_page(tmp_path, "faq", title="Second", order=2)
    write_page(tmp_path, "home", title="First", order=1)
    write_page(tmp_path, "privacy", title="Third", order=3)
    pages = list_pages("en", package_dir=tmp_path, override_dir=None, clinic=CLINIC)
    assert [page.title for page in pages] == ["First", "Second", "Third"]


def test_page_is_immutable() -> None:
    page = load("home")
    with pytest.raises(AttributeError):
        page.title = "changed"  # type: ignore[misc]


def test_clinic_tokens_come_from_config() -> None:
    config = {"CLINIC_NAME": "Name", "CLINIC_PHONE": "1", "CLINIC_CITY": None, "SECRET_KEY": "x"}
    assert clinic_tokens(config) == {
        "clinic_name": "Name",
        "clinic_phone": "1",
        "clinic_email": "",
        "clinic_address": "",
        "clinic_city": "",
    }
