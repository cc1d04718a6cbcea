"""The HTML handbook as built: pages exist, say what the content says, stay offline and safe."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import rolebook
from htmlpage import Page

NBSP = "\u00a0"
HOCS = "head-of-client-service"


def page(site: Path, url: str) -> Page:
    return Page((site / url / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hocs(built_site) -> Page:
    return page(built_site, f"roles/{HOCS}/")


def test_every_role_has_a_page_linked_from_home_and_index(built_site, catalog):
    home, index = page(built_site, ""), page(built_site, "roles/")
    for role_id, entry in catalog.roles.items():
        role_page = page(built_site, f"roles/{role_id}/")
        assert role_page.find("h1") and entry.role.title in role_page.text
        assert home.find("a", href=f"./roles/{role_id}/")
        assert index.find("a", href=f"../roles/{role_id}/")
        assert role_page.find("a", href=f"../../pdf/{role_id}.pdf")


def test_home_groups_roles_by_department_with_a_pay_line(built_site, catalog):
    home = page(built_site, "")
    text = home.text
    positions = [text.index(d.title) for d in catalog.handbook.departments]
    assert positions == sorted(positions)
    assert f"от 27{NBSP}000 до 200{NBSP}000{NBSP}₽ в месяц в 12{NBSP}городах" in text
    assert f"от 12{NBSP}000 до 120{NBSP}000{NBSP}₽ в месяц в 4{NBSP}городах" in text
    unpaid = [e for e in catalog.roles.values() if not (e.role.salary and e.role.salary.bands)]
    assert text.count("Зарплата: нет данных") == len(unpaid)


def test_role_page_shows_the_salary_table_and_chart(hocs):
    text = hocs.text
    assert f"53{NBSP}000–66{NBSP}000{NBSP}₽" in text          # St Petersburg, agencies, II
    assert f"115{NBSP}000{NBSP}₽" in text                        # Moscow agencies median
    moscow_row = re.search(r"Москва (.*?) Санкт-Петербург", text).group(1)
    assert moscow_row.count("нет данных") == 4                   # grades I–IV missing
    charts = hocs.find("svg")
    assert any("salary-chart" in (a.get("class") or "") and a.get("role") == "img" for a in charts)
    assert "82 %".replace(" ", NBSP) in text                     # 94 000 of Moscow's 115 000


def test_role_page_links_reporting_lines_and_careers(built_site, hocs):
    assert hocs.find("a", href="../../roles/client-service-director/")
    assert hocs.find("a", href="../../roles/client-manager/")       # manages
    client_manager = page(built_site, "roles/client-manager/")
    # KPI formulas are typeset: N_{воз} -> N<sub>воз</sub>
    html = (built_site / "roles/client-manager/index.html").read_text(encoding="utf-8")
    assert "N<sub>воз</sub>" in html and "_{" not in html            # also in descriptions
    assert "Источник" in client_manager.text
    assert "Профессия менеджер по работе с клиентами" in client_manager.text
    # a path out of client-manager into head-of-client-service shows as a path in there
    career = hocs.text[hocs.text.index("Откуда приходят"):hocs.text.index("Куда расти")]
    assert "Менеджер по работе с клиентами" in career
    # KAM compares itself with client-manager; client-manager shows it from its side
    assert "Менеджер по работе с клиентами и Менеджер по работе с ключевыми клиентами" \
        in client_manager.text
    assert ("Что сравниваем Менеджер по работе с клиентами Менеджер по работе с ключевыми "
            "клиентами Круг клиентов Не ориентирован") in client_manager.text


def test_role_page_links_its_department_where_its_roles_are_listed(built_site, catalog):
    index = (built_site / "roles" / "index.html").read_text(encoding="utf-8")
    sections = {part.split('"', 1)[0]: part for part in index.split('<section aria-labelledby="dept-')[1:]}
    for role_id, entry in catalog.roles.items():
        department = entry.role.department
        role_page = page(built_site, f"roles/{role_id}/")
        links = role_page.find("a", href=f"../../roles/#dept-{department}")
        assert len(links) == 2, role_id                          # breadcrumbs and the facts
        assert f'<h2 id="dept-{department}">' in sections[department]
        assert f'href="../roles/{role_id}/"' in sections[department]


def test_json_ld_is_an_occupation_with_salaries_per_city(hocs):
    (block,) = hocs.jsonld
    data = json.loads(block)
    assert data["@type"] == "Occupation"
    assert data["name"] == "Руководитель отдела по работе с клиентами"
    salaries = {s["name"]: s for s in data["estimatedSalary"]}
    spb = salaries["Санкт-Петербург, Агентства"]
    assert (spb["minValue"], spb["maxValue"], spb["median"]) == (40000, 164000, 94000)
    assert spb["currency"] == "RUB" and spb["duration"] == "P1M"
    assert "minValue" not in salaries["Москва, Агентства"]
    assert salaries["Москва, Агентства"]["median"] == 115000
    assert len({s["name"].split(",")[0] for s in salaries.values()}) == 12



def test_search_index_holds_a_role_s_text_but_not_its_salary_figures(built_site, catalog):
    import gzip

    records = {}
    for path in built_site.glob("pagefind/*/fragment/*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())  # "pagefind_dcd" and the page's JSON
        record = json.loads(raw[len(b"pagefind_dcd"):])
        records[record["url"]] = record["content"]
    role = catalog.role("client-manager")
    content = records["/roles/client-manager/"]
    assert role.duties[0].split()[0] in content and role.title in content
    # The summary's pay line stays; the tables and charts (a hundred amounts) do not.
    assert content.count("₽") <= 2 and "Москва = 100" not in content


def test_pagefind_reads_a_page_without_its_drawings_and_skipped_parts_and_nothing_else_is_lost():
    from rolebook.render.pages.search import for_index

    page = (b'<main data-pagefind-body><h1>A</h1><svg class="c"><text>x</text></svg>'
            b'<p>&lt;svg&gt; b</p><figure data-pagefind-ignore><svg><title>y</title></svg>'
            b'</figure><svg></svg>c<!--search:skip--><table data-pagefind-ignore><tr><td>1 000'
            b'</td></tr></table><!--/search:skip--><p>&lt;!--search:skip--&gt; d</p></main>')
    assert for_index(page) == (b'<main data-pagefind-body><h1>A</h1><p>&lt;svg&gt; b</p>'
                               b'<figure data-pagefind-ignore></figure>c'
                               b'<p>&lt;!--search:skip--&gt; d</p></main>')
    assert for_index(b"<p>no drawing</p>") == b"<p>no drawing</p>"


def test_articles_have_pages_and_an_index(built_site, catalog):
    index = page(built_site, "articles/")
    for entry in catalog.pages:
        article = page(built_site, f"articles/{entry.id}/")
        assert entry.page.title in article.text
        assert index.find("a", href=f"../articles/{entry.id}/")


def test_no_external_urls_in_any_page(built_site, catalog):
    base = catalog.handbook.base_url.rstrip("/")
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= len(catalog.roles) + len(catalog.pages) + 3
    for path in pages:
        parsed = Page(path.read_text(encoding="utf-8"))
        for tag, attrs in parsed.tags:
            for name in ("src", "href", "srcset", "action", "poster", "data"):
                value = (attrs.get(name) or "").strip()
                external = re.match(r"(?i)(https?:)?//", value)
                if external and not (tag == "link" and attrs.get("rel") == "canonical"
                                     and value.startswith(base)):
                    pytest.fail(f"{path.relative_to(built_site)}: <{tag} {name}={value!r}>")
    for css in built_site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8")


def test_links_from_home_roles_and_articles_lead_to_files(built_site):
    from urllib.parse import unquote, urlsplit

    pages = [built_site / "index.html", *built_site.glob("roles/**/index.html"),
             *built_site.glob("articles/**/index.html")]
    checked = 0
    for path in pages:
        for tag, attrs in Page(path.read_text(encoding="utf-8")).tags:
            link = attrs.get("href") or attrs.get("src") or ""
            parts = urlsplit(link)
            if not link or parts.scheme or parts.netloc or link.startswith("#"):
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            if link.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(built_site)}: {link}"
            assert target.is_relative_to(built_site.resolve())
            checked += 1
    assert checked > 200


HOSTILE_SUMMARY = ('<script>alert("s")</script> <img src=x onerror="alert(1)"> '
                   '<b onclick="alert(2)">жирный</b> {{ 7*7 }} {% raw %} [ссылка](javascript:alert(3))')
HOSTILE_TITLE = 'Менеджер </script><script>alert("t")</script> {{ 6*7 }}'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A copy of the handbook whose KAM role carries markup and template syntax everywhere."""
    import shutil

    repo = Path(__file__).resolve().parents[1]
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(repo / "content", root / "content")
    role = root / "content" / "roles" / "key-account-manager.yaml"
    text = role.read_text(encoding="utf-8")
    summary = "summary: " + json.dumps(HOSTILE_SUMMARY, ensure_ascii=False) + "\n"
    title = "title: " + json.dumps(HOSTILE_TITLE, ensure_ascii=False)
    text = re.sub(r"(?ms)^summary: .*?(?=^\S)", lambda _: summary, text)
    text = re.sub(r"(?m)^title: .*$", lambda _: title, text, count=1)
    text = text.replace("  - id: retention-rate\n",
                        '  - id: retention-rate\n    formula: "<i>x</i>_{<b>1</b>} {{ 1+1 }}"\n', 1)
    role.write_text(text, encoding="utf-8")
    out = root / "site"
    rolebook.build(root, rolebook.BuildOptions(out=out, pdf=False))
    return out


def test_hostile_text_is_shown_as_text_or_dropped(hostile_site):
    html = (hostile_site / "roles/key-account-manager/index.html").read_text(encoding="utf-8")
    parsed = Page(html)
    scripts = [a for t, a in parsed.tags if t == "script"]
    assert all(a.get("type") == "application/ld+json" or a.get("src") for a in scripts)
    assert not any(k.startswith("on") for _, a in parsed.tags for k in a), "event handler kept"
    assert not any("javascript:" in (a.get("href") or "") for _, a in parsed.tags)
    assert "alert(" not in parsed.text.replace('alert("t")', "")    # only the title shows it
    assert "{{ 7*7 }}" in parsed.text                                # not run as a template
    assert HOSTILE_TITLE in parsed.text                              # the title, as text
    assert "жирный" in parsed.text
    assert "<i>x</i>" in parsed.text and "1+1" in parsed.text        # formula, escaped
    assert "<sub>&lt;b&gt;1&lt;/b&gt;</sub>" in html
    (block,) = parsed.jsonld
    assert json.loads(block)["name"] == HOSTILE_TITLE                # JSON-LD round-trips
    assert "</script><script>" not in html


def test_hostile_title_is_escaped_everywhere_it_appears(hostile_site):
    for url in ("", "roles/", "roles/sales-manager/"):
        parsed = Page((hostile_site / url / "index.html").read_text(encoding="utf-8"))
        assert HOSTILE_TITLE in parsed.text, url
    for path in hostile_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert '<script>alert("t")' not in html, path
        for tag, attrs in Page(html).tags:
            if tag == "script":
                assert attrs.get("src") or attrs.get("type") in (
                    "application/ld+json", "application/json"), path


def not_found_links(site: Path) -> list[str]:
    parsed = Page((site / "404.html").read_text(encoding="utf-8"))
    assert not parsed.find("link", rel="canonical")
    return [a["href"] for t, a in parsed.tags
            if t in ("a", "link") and not a.get("href", "#").startswith("#")]


def test_not_found_page_links_from_the_server_root(built_site):
    links = not_found_links(built_site)                          # base_url: a host of its own
    assert "/" in links and "/roles/" in links
    assert all(link.startswith("/") for link in links), links


def test_not_found_page_of_a_site_under_a_path_links_from_that_path(handbook_copy):
    config = handbook_copy / "content" / "handbook.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("base_url: https://handbook.example.ru/",
                                   "base_url: https://example.github.io/handbook"), encoding="utf-8")
    rolebook.build(handbook_copy, rolebook.BuildOptions(pdf=False))
    links = not_found_links(handbook_copy / "site")
    assert "/handbook/" in links and "/handbook/roles/" in links
    assert all(link.startswith("/handbook/") for link in links), links
