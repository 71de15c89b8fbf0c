"""A clinic's own pages (about us, fees) from instance/content/: in the menu only when written,
and their photos served only as images from the clinic's photo folder."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "content"


def png() -> bytes:
    """A real 1x1 PNG (a browser shows it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x24\x54\x5e")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def content(app) -> Path:  # type: ignore[no-untyped-def]
    """The clinic's content folder, empty."""
    folder = Path(app.config["CONTENT_OVERRIDE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_examples(content: Path) -> None:
    """Copy the documented example pages into the clinic's folder, with two photos."""
    shutil.copytree(EXAMPLES, content, dirs_exist_ok=True)
    (content / "photos").mkdir()
    for name in ("ana-ruiz.jpg", "sam-lee.jpg"):
        (content / "photos" / name).write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 32)


def menu(html: str) -> str:
    """The public menu's markup."""
    return html.partition('class="site-menu"')[2].partition("</details>")[0]


def test_without_the_files_there_is_no_about_or_fees_page(client, content):
    assert client.get("/about").status_code == 404
    assert client.get("/fees").status_code == 404
    html = client.get("/?lang=en").data.decode()
    assert 'href="/about"' not in html and 'href="/fees"' not in html


@pytest.mark.parametrize(
    ("lang", "about", "fees", "licence"),
    [
        ("en", "About us", "Fees", "Medical Board of California licence A 123456"),
        ("es", "Quiénes somos", "Tarifas", "Licencia A 123456 de la Junta Médica de California"),
    ],
)
def test_the_written_pages_join_the_menu_in_the_visitors_language(
    client, content, lang, about, fees, licence
):
    write_examples(content)
    nav = menu(client.get(f"/?lang={lang}").data.decode())
    assert f'<a href="/about">{about}</a>' in nav and f'<a href="/fees">{fees}</a>' in nav
    # About us first; the fees right after the shipped costs page.
    order = ["about", "what-is-kap", "costs", "fees", "reading-list"]
    assert sorted(order, key=lambda slug: nav.index(f'href="/{slug}"')) == order
    page = client.get(f"/about?lang={lang}").data.decode()
    assert licence in page
    assert '<img alt="' in page and 'src="photos/ana-ruiz.jpg">' in page
    assert "<td>$450</td>" in client.get("/fees?lang=en").data.decode()


def test_a_new_page_changes_every_pages_version_so_caches_show_the_menu(client, content):
    first = client.get("/faq")
    write_examples(content)
    again = client.get("/faq", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and 'href="/about"' in again.data.decode()


@pytest.mark.parametrize(
    "source",
    [
        "https://tracker.example/pixel.jpg",
        "//tracker.example/pixel.jpg",
        "/static/img/favicon.svg",
        "photos/../../dev-secrets.json",
        "photos/portrait.svg",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
    ],
)
def test_a_page_shows_images_only_from_the_photo_folder(client, content, source):
    (content / "about.md").write_text(f"---\ntitle: Team\n---\n![Portrait]({source})\n")
    article = client.get("/about").data.decode().partition("<article")[2]
    assert '<img alt="Portrait">' in article
    assert source not in article.partition("</article>")[0]


def test_a_photo_is_served_as_the_image_it_is(client, content):
    (content / "photos").mkdir()
    (content / "photos" / "ana-ruiz.png").write_bytes(png())
    response = client.get("/photos/ana-ruiz.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == png()
    response.close()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.html", b"<script>alert(1)</script>"),
        ("portrait.svg", b"<svg onload=alert(1)></svg>"),
        ("disguised.jpg", b"<script>alert(1)</script>"),  # not a JPEG inside
        ("absent.jpg", None),
        (".hidden.png", None),
    ],
)
def test_nothing_but_real_photos_comes_out_of_the_folder(client, content, name, data):
    (content / "photos").mkdir()
    if data is not None:
        (content / "photos" / name).write_bytes(data)
    (content / "photos" / ".hidden.png").write_bytes(png())
    assert client.get(f"/photos/{name}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/photos/..%2Fabout.md",
        "/photos/%2E%2E%2Fsecret.png",
        "/photos/../secret.png",
        "/photos/sub/secret.png",
        "/photos/..\\secret.png",
    ],
)
def test_no_path_leaves_the_photo_folder(client, content, path):
    (content / "secret.png").write_bytes(png())
    (content / "photos" / "sub").mkdir(parents=True)
    (content / "photos" / "sub" / "secret.png").write_bytes(png())
    response = client.get(path)
    assert response.status_code == 404
    assert response.data != png()
