"""Hostile content does nothing, wherever it goes.

One handbook (the minimal fixture) whose role texts, Markdown fields and
article carry script tags, event handlers, ``javascript:`` links, frames,
style injection and Jinja syntax is built once, HTML and PDF. Text fields
must come out as text; Markdown is cleaned by the sanitizer, so what it drops
(marked ``md`` in the payloads) must not appear in any output at all. Checked
in every HTML page, the JSON-LD, the Pagefind index (read directly and through
the search page in Chromium), the PDF text, the URLs the PDF renderer asked
for, and the CSV as a spreadsheet would read it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pypdf
import pytest
import yaml

import rolebook
from htmlpage import Page as BasePage
from rolebook.render import pdf as pdf_stage

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def markup(tag: str) -> str:
    """Markup that would run or restyle something; ``tag`` marks where it was put."""
    return (f'<script>alert("{tag}-script")</script> '
            f'<img src=x onerror="alert(\'{tag}-img\');window.pwned=1"> '
            f'<a href="javascript:alert(\'{tag}-a\')">клик</a> '
            f'<a href="JaVaScRiPt:alert(\'{tag}-case\')">регистр</a> '
            f'<a href="&#106;avascript:alert(\'{tag}-entity\')">сущность</a> '
            f'<iframe src="https://evil.example/{tag}-frame"></iframe> '
            f'<style>body {{ display: none }} /* {tag}-style */</style> '
            f'<p style="position: fixed; top: 0">стиль</p> '
            f'<b onclick="alert(\'{tag}-click\')">жирный</b> '
            f'<svg onload="alert(\'{tag}-svg\')"></svg> '
            f'<object data="https://evil.example/{tag}-object.swf"></object> '
            f'<meta http-equiv="refresh" content="0;url=https://evil.example/{tag}-meta"> '
            f'<base href="https://evil.example/{tag}-base/"> '
            f'<form action="javascript:alert(\'{tag}-form\')">'
            f'<button formaction="javascript:alert(\'{tag}-button\')">кнопка</button></form>')


def mutation(tag: str) -> str:
    """Markup that changes meaning when parsed twice (a sanitizer bypass in some libraries)."""
    return f'<math><mtext><table><mglyph><style><img src=x onerror="alert(\'{tag}-mxss\')">'


JINJA = "{{ 7*7 }} {% for x in range(3) %}цикл{% endfor %}"
MARKDOWN = (f"Продаёт рекламу. {markup('md')}\n\n"
            "[ссылка](javascript:alert(document.domain)) ![картинка](https://evil.example/md-image.png) "
            f"{JINJA}\n\n{mutation('md')}\n")  # last: the sanitizer drops what follows it
TEXT = f"Ведёт переговоры {markup('tx')} {mutation('tx')} {JINJA}"
TITLE = 'Менеджер <script>alert("tx-title")</script> {{ 7*7 }} по продажам'
ARTICLE_TITLE = 'О справочнике <script>alert("tx-article")</script> {{ 7*7 }}'
FORMULAS = ['=HYPERLINK("https://evil.example/","x")', "+1+1", "-2+3", "@SUM(A1)"]
STRIPPED = re.compile(r"md-[a-z]+")  # what the sanitizer drops must be gone entirely


def write_handbook(root: Path) -> None:
    """The minimal handbook with hostile text in every kind of field and in an article."""
    shutil.copytree(MINIMAL, root)
    handbook = yaml.safe_load((root / "content" / "handbook.yaml").read_text(encoding="utf-8"))
    handbook["document"] |= {"kpi_section": True, "pay_section": True}
    dump(root / "content" / "handbook.yaml", handbook)
    worker = yaml.safe_load((root / "content" / "roles" / "worker.yaml").read_text(encoding="utf-8"))
    worker |= {"title": TITLE, "summary": MARKDOWN, "duties": [TEXT], "rights": [JINJA],
               "kpis": [{"id": "plan", "name": f"План {JINJA}", "description": MARKDOWN,
                         "formula": "<i>x</i>_{<b>1</b>} {{ 1+1 }}"}],
               "pay": {"conditions": [TEXT], "notes": MARKDOWN}}
    worker["salary"]["notes"] = MARKDOWN
    worker["salary"]["grades"][0]["title"] = FORMULAS[0]
    for band, note in zip(worker["salary"]["bands"], FORMULAS):
        band["note"] = note
    dump(root / "content" / "roles" / "worker.yaml", worker)
    front = yaml.safe_dump({"title": ARTICLE_TITLE, "summary": TEXT, "roles": ["worker"]},
                           allow_unicode=True)
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "about.md").write_text(
        f"---\n{front}---\n<div onmouseover=\"alert('md-div')\">блок</div>\n\n"
        f"{{% raw %}}{{{{ config }}}}{{% endraw %}}\n\n{MARKDOWN}", encoding="utf-8")


def dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile handbook built once (in one process, so that every fetch is seen)."""
    root = tmp_path_factory.mktemp("hostile") / "handbook"
    write_handbook(root)
    fetched: list[str] = []
    original = pdf_stage.theme_fetcher

    def recording(folders):
        fetcher = original(folders)
        fetch = fetcher.fetch
        fetcher.fetch = lambda url, headers=None: (fetched.append(url), fetch(url, headers))[1]
        return fetcher

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_stage, "theme_fetcher", recording)
        rolebook.build(root, rolebook.BuildOptions(jobs=1))
    return SimpleNamespace(root=root, site=root / "site", fetched=fetched)


class Page(BasePage):
    """A page whose text folds every kind of white space (no-break spaces too)."""

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text_parts))


def pages(site: Path) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): Page(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("*.html")) if "pagefind" not in p.parts}


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href",
                  "background", "ping"}
THEME_STYLE = re.compile(r"((left|width|min-width): [\d.]+(%|px);? ?)+")  # chart bars, diagrams


def test_no_page_carries_executable_markup(hostile):
    found = pages(hostile.site)
    assert {"roles/worker/index.html", "articles/about/index.html", "index.html"} <= set(found)
    for name, page in found.items():
        for tag, attrs in page.tags:
            where = f"{name}: <{tag} {attrs}>"
            assert tag not in ("iframe", "object", "embed", "frame", "base", "style"), where
            assert not [a for a in attrs if a.startswith("on")], where
            if tag == "script":
                assert attrs.get("type") in ("application/ld+json", "application/json") or \
                    re.fullmatch(r"(\.\./)*(assets/js|pagefind/[\w-]+)/[\w.-]+\.js", attrs.get("src", "")), where
            if tag == "meta":
                assert "http-equiv" not in attrs, where
            if "style" in attrs:
                assert THEME_STYLE.fullmatch(attrs["style"]), where
            for attribute in URL_ATTRIBUTES & set(attrs):
                value = re.sub(r"[\s\x00-\x1f]", "", attrs[attribute]).lower()
                assert not value.startswith(("javascript:", "vbscript:", "data:text")), where
                assert "evil.example" not in value and "alert(" not in value, where


def test_what_the_sanitizer_drops_is_gone_from_every_page(hostile):
    for path in hostile.site.rglob("*.html"):
        assert not STRIPPED.search(path.read_text(encoding="utf-8")), path


def test_text_fields_show_their_markup_as_text(hostile):
    role = pages(hostile.site)["roles/worker/index.html"]
    assert TITLE in role.text
    assert re.sub(r"\s+", " ", TEXT) in role.text                # the duty, verbatim
    assert "Продаёт рекламу." in role.text and "жирный" in role.text  # Markdown, cleaned
    assert "ссылка" in role.text                              # the link, without its href
    assert "<i>x</i>" in role.text and "1+1" in role.text        # the KPI formula, as text
    html = (hostile.site / "roles" / "worker" / "index.html").read_text(encoding="utf-8")
    assert "<sub>&lt;b&gt;1&lt;/b&gt;</sub>" in html


@pytest.mark.parametrize("url", ["roles/worker/index.html", "articles/about/index.html",
                                 "index.html", "roles/index.html", "articles/index.html"])
def test_template_syntax_is_never_evaluated(hostile, url):
    page = pages(hostile.site)[url]
    assert "{{ 7*7 }}" in page.text
    assert not re.search(r"\b49\b", page.text)
    assert "циклциклцикл" not in page.text.replace(" ", "")


def test_the_article_shows_its_text_and_template_syntax_literally(hostile):
    article = pages(hostile.site)["articles/about/index.html"]
    assert ARTICLE_TITLE in article.text
    assert "{% for x in range(3) %}цикл{% endfor %}" in article.text
    assert "{% raw %}{{ config }}{% endraw %}" in article.text
    assert "блок" in article.text


def test_json_ld_holds_the_title_as_text(hostile):
    html = (hostile.site / "roles" / "worker" / "index.html").read_text(encoding="utf-8")
    (block,) = Page(html).jsonld
    assert "<" not in block and ">" not in block                 # \u003c: cannot end the element
    data = json.loads(block)
    assert data["name"] == TITLE
    assert not STRIPPED.search(json.dumps(data, ensure_ascii=False))


def fragments(site: Path) -> dict[str, dict]:
    """Pagefind's page records: gzip of ``pagefind_dcd`` followed by JSON."""
    records = {}
    for path in site.glob("pagefind/*/fragment/*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        record = json.loads(raw[len(b"pagefind_dcd"):])
        records[record["url"]] = record
    return records


def test_the_search_index_holds_text_not_markup(hostile):
    records = fragments(hostile.site)
    worker, article = records["/roles/worker/"], records["/articles/about/"]
    assert worker["meta"]["title"] == TITLE and article["meta"]["title"] == ARTICLE_TITLE
    assert "{{ 7*7 }}" in worker["content"]
    assert "Ведёт переговоры" in worker["content"]
    for record in records.values():
        assert not STRIPPED.search(json.dumps(record, ensure_ascii=False)), record["url"]


def test_nothing_runs_in_the_browser_and_search_results_are_text(hostile, browser):
    from conftest import file_server

    context = browser.new_context()
    page = context.new_page()
    dialogs, requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    with file_server(hostile.site) as url:
        for path in ("", "roles/worker/", "articles/about/", "roles/"):
            page.goto(url + path, wait_until="networkidle")
            assert page.evaluate("window.pwned") is None, path
        for query in ("переговоры", "script", "alert"):
            page.goto(url + "search/?q=" + query)
            page.wait_for_selector(".pagefind-ui__result-link")
            results = page.locator(".pagefind-ui__results")
            assert results.locator("script, img, iframe, a[href^='javascript']").count() == 0
            assert page.evaluate("window.pwned") is None, query
        assert "<script>" in page.locator(".pagefind-ui__result-title").first.inner_text()
    context.close()
    assert dialogs == []
    assert all(r.startswith(url) for r in requests), [r for r in requests if "evil" in r]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def squash(text: str) -> str:
    """Without spaces and hyphenation: PDF lines break anywhere."""
    return re.sub(r"[\s\u00ad\u00a0-]+", "", text)


def test_the_pdf_shows_text_literally_and_drops_what_markdown_may_not_carry(hostile):
    text = pdf_text(hostile.site / "pdf" / "worker.pdf")
    assert squash(TEXT) in squash(text)                           # duty and pay condition
    assert squash('менеджера <script>alert("tx-title")</script> {{ 7*7 }} по продажам') \
        in squash(text)
    assert "Продаёт рекламу" in text or squash("Продаёт рекламу") in squash(text)
    assert not STRIPPED.search(text)
    assert not re.search(r"\b49\b", text)


def test_the_pdf_renderer_fetched_only_theme_files(hostile):
    from rolebook.theme import Theme

    folders = [str(folder) for folder in Theme(hostile.root).folders]
    assert hostile.fetched, "the fonts at least are fetched through the fetcher"
    for url in hostile.fetched:
        if url.startswith("data:"):
            continue
        parts = urlsplit(url)
        assert parts.scheme == "file", url
        assert any(unquote(parts.path).startswith(folder + "/") for folder in folders), url


def test_csv_cells_cannot_run_as_formulas(hostile):
    data = (hostile.site / "data" / "salaries.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    cells = [value for row in rows for value in row.values() if value]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert sorted(row["note"] for row in rows) == sorted("'" + f for f in FORMULAS)
    assert {row["grade_title"] for row in rows if row["grade"] == "I"} == {"'" + FORMULAS[0]}
