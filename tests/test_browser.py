"""The built handbook in a real browser (Debian's chromium through Playwright).

Pages load without console errors or failed requests; the salary comparison
filters, sorts and keeps its state in the URL; without JavaScript it still
holds the whole table; the role comparison picker opens the chosen page;
the org chart links every role; search understands Russian word forms.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

HOCS = "head-of-client-service"
PAGES = ["", "roles/", f"roles/{HOCS}/", "roles/client-manager/", "articles/", "salaries/",
         "compare/", "compare/client-manager--key-account-manager--sales-manager/", "orgchart/",
         "search/", "search/?q=клиентов"]


@pytest.fixture
def page(browser):
    """A fresh page that records console errors, page errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: tab.problems.append(f"console {m.type}: {m.text}")
           if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: tab.problems.append(f"request failed: {r.url}"))
    tab.on("response", lambda r: tab.problems.append(f"HTTP {r.status}: {r.url}")
           if r.status >= 400 else None)
    yield tab
    context.close()


@pytest.mark.parametrize("url", PAGES)
def test_page_loads_without_console_errors(page, site_url, url):
    page.goto(site_url + url, wait_until="networkidle")
    if url.startswith("search/?"):
        page.wait_for_selector(".pagefind-ui__result-link")
    assert page.locator("h1").count() == 1
    assert page.problems == []


def test_no_request_leaves_the_site(page, site_url):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(site_url) else None)
    for url in ("", f"roles/{HOCS}/", "salaries/", "search/?q=клиент"):
        page.goto(site_url + url, wait_until="networkidle")
    assert outside == []


# -- salary comparison ------------------------------------------------------------

def visible_rows(page) -> list[dict]:
    return page.eval_on_selector_all("#salary-table tbody tr[data-order]", """rows => rows
        .filter(r => r.offsetParent !== null)
        .map(r => ({role: r.parentElement.dataset.role, segment: r.parentElement.dataset.segment,
                    grade: r.dataset.grade, region: r.dataset.region,
                    value: r.dataset.value === "" ? null : Number(r.dataset.value),
                    text: r.innerText}))""")


def expected_rows(catalog, segment: str) -> int:
    """Rows a segment should show: per role, its regions times its grades (and «в целом»)."""
    count = 0
    for entry in catalog.roles.values():
        bands = [b for b in (entry.role.salary.bands if entry.role.salary else [])
                 if b.segment == segment]
        regions = {b.region for b in bands if b.region is not None}
        grades = {b.grade for b in bands if b.region is not None}
        count += len(regions) * len(grades) + len({b.grade for b in bands if b.region is None})
    return count


def test_salary_table_filters_by_segment(page, site_url, catalog):
    page.goto(site_url + "salaries/")
    everything = visible_rows(page)
    page.select_option("#f-segment", "agencies")
    rows = visible_rows(page)
    assert 0 < len(rows) < len(everything)
    assert {row["segment"] for row in rows} == {"agencies"}
    assert len(rows) == expected_rows(catalog, "agencies")
    spb = [r for r in rows if r["role"] == HOCS and r["region"] == "saint-petersburg"
           and r["grade"] == "II"]
    assert len(spb) == 1 and "53\u00a0000–66\u00a0000\u00a0₽" in spb[0]["text"]
    moscow = [r for r in rows if r["role"] == HOCS and r["region"] == "moscow"]
    assert [r["text"].count("нет данных") for r in moscow if r["grade"]] == [1, 1, 1, 1]
    assert any("115\u00a0000" in r["text"] for r in moscow if not r["grade"])
    assert page.locator("#salary-charts .chart-group:visible").count() >= 1
    assert all(g == "agencies" for g in page.eval_on_selector_all(
        "#salary-charts .chart-group", "gs => gs.filter(g => !g.hidden).map(g => g.dataset.segment)"))
    assert "Показано строк: %d" % len(rows) in page.inner_text("#salary-count")


def test_salary_filters_live_in_the_url(page, site_url):
    page.goto(site_url + "salaries/")
    page.select_option("#f-role", HOCS)
    page.select_option("#f-grade", "IV")
    page.select_option("#f-sort", "value-desc")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"role": [HOCS], "grade": ["IV"], "sort": ["value-desc"]}
    shared = page.url
    page.goto(site_url)
    page.goto(shared)  # somebody opens the shared link
    assert page.input_value("#f-grade") == "IV"
    rows = visible_rows(page)
    assert rows and {(r["role"], r["grade"]) for r in rows} == {(HOCS, "IV")}
    for segment in ("agencies", "companies"):  # sorted within each group of the table
        group = [r["value"] for r in rows if r["segment"] == segment]
        values = [v for v in group if v is not None]
        assert len(values) >= 11 and values == sorted(values, reverse=True)
        assert None not in group[:len(values)]  # «нет данных» goes last


def test_salary_columns_sort_by_share_of_moscow(page, site_url):
    page.goto(site_url + f"salaries/?role={HOCS}&segment=companies&grade=I")
    header = page.locator("th[data-sort='percent'] button")
    header.click()
    assert page.get_attribute("th[data-sort='percent']", "aria-sort") == "descending"
    shares = page.eval_on_selector_all(
        "#salary-table tbody tr[data-order]:not([hidden])", "rs => rs.map(r => r.dataset.percent)")
    numbers = [int(s) for s in shares if s]
    assert numbers[0] == 100 and numbers == sorted(numbers, reverse=True)
    header.click()
    assert page.get_attribute("th[data-sort='percent']", "aria-sort") == "ascending"


def test_salary_table_is_complete_without_javascript(browser, site_url, built_site):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "salaries/")
    assert not tab.locator("#salary-filters").is_visible()
    shown = tab.locator("#salary-table tbody tr[data-order]:visible").count()
    html = (built_site / "salaries" / "index.html").read_text(encoding="utf-8")
    assert shown == html.count("data-order=") > 100
    context.close()


# -- the salary chart of a role page -------------------------------------------------

CHART_GEOMETRY = """svg => {
    const box = svg.getBoundingClientRect();
    const inside = b => b.width > 0 && b.left >= box.left - 1 && b.right <= box.right + 1;
    const bars = [...svg.querySelectorAll(".bar")].map(b => b.getBoundingClientRect());
    return {width: box.width, page: document.documentElement.scrollWidth,
            bars: bars.length, inside: bars.every(inside),
            labels: [...svg.querySelectorAll(".bar-label")]
                .filter(t => getComputedStyle(t).display !== "none").length};
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_salary_chart_fits_the_page_at_any_width(browser, site_url, width):
    """One drawing for phones and desktops: as wide as the page allows, every bar inside it,
    no sideways scrolling; wider bars carry their grade's label."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url + f"roles/{HOCS}/")
    chart = page.locator("svg.salary-chart").first
    geometry = chart.evaluate(CHART_GEOMETRY)
    context.close()
    assert geometry["page"] <= width
    assert geometry["bars"] >= 40 and geometry["inside"]
    if width < 400:
        assert 280 <= geometry["width"] < 360  # chart.NARROWEST: lanes are decided for it
    else:
        assert geometry["width"] >= 700


def test_wider_salary_chart_labels_more_bars(browser, site_url):
    labels = {}
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(site_url + f"roles/{HOCS}/")
        labels[width] = page.locator("svg.salary-chart").first.evaluate(CHART_GEOMETRY)["labels"]
        context.close()
    assert 0 < labels[360] < labels[1280]


# -- role comparison, org chart, search ----------------------------------------------------

def test_compare_picker_opens_the_chosen_comparison(page, site_url):
    page.goto(site_url + "compare/")
    with page.expect_navigation():
        page.select_option("#pick-c", "")  # the preselected triple becomes a pair
    assert page.url.endswith("compare/client-manager--key-account-manager/")
    with page.expect_navigation():
        page.select_option("#pick-a", "sales-manager")
    assert page.url.endswith("compare/key-account-manager--sales-manager/")
    assert "садовник" in page.inner_text("main").lower()  # the sources' own comparison
    with page.expect_navigation():
        page.select_option("#pick-c", "client-manager")
    assert page.url.endswith("compare/client-manager--key-account-manager--sales-manager/")
    assert page.locator(".compare-table thead th").count() == 3


def test_compare_pages_are_linked_for_readers_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "compare/")
    tab.click("text=Менеджер по работе с клиентами · Менеджер по работе с ключевыми клиентами "
              "· Менеджер по продажам")
    assert tab.url.endswith("compare/client-manager--key-account-manager--sales-manager/")
    assert tab.locator(".compare-table thead th").count() == 3
    context.close()


def test_compare_links_from_role_pages_preselect_the_role(page, site_url):
    page.goto(site_url + "compare/?roles=sales-manager")
    assert page.input_value("#pick-a") == "sales-manager"
    page.goto(site_url + "compare/?roles=sales-manager,key-account-manager")
    page.wait_for_url(re.compile(r"compare/key-account-manager--sales-manager/$"))


def test_org_chart_links_every_role(page, site_url, catalog):
    page.goto(site_url + "orgchart/")
    links = page.eval_on_selector_all("svg.diagram a", "as => as.map(a => a.href.baseVal || a.href)")
    for role_id in catalog.roles:
        assert any(link.endswith(f"roles/{role_id}/") for link in links), role_id
    page.locator("svg.diagram a").first.click()
    page.wait_for_url(re.compile(r"/roles/[a-z-]+/$"))


def test_search_finds_a_role_page_for_another_word_form(page, site_url):
    page.goto(site_url + "search/?q=клиентов")
    page.wait_for_selector(".pagefind-ui__result-link")
    links = page.eval_on_selector_all(".pagefind-ui__result-link", "as => as.map(a => a.href)")
    assert any(re.search(r"/roles/[a-z-]+/$", link) for link in links)
    marked = {m.lower() for m in page.eval_on_selector_all(
        ".pagefind-ui__result mark", "ms => ms.map(m => m.textContent)")}
    assert marked - {"клиентов"}, "the stemmer should match other forms (клиент, клиентами)"


def test_header_search_box_leads_to_results(page, site_url):
    page.goto(site_url + f"roles/{HOCS}/")
    page.fill("#header-q", "ключевыми клиентами")
    page.press("#header-q", "Enter")
    page.wait_for_selector(".pagefind-ui__result-link")
    assert "key-account-manager" in " ".join(page.eval_on_selector_all(
        ".pagefind-ui__result-link", "as => as.map(a => a.href)"))


# -- a handbook too large for one salary page -------------------------------------------------

@pytest.fixture(scope="module")
def chunked_site(tmp_path_factory):
    """The bundled handbook built as if it were too large for one salary page."""
    import rolebook
    from rolebook.render.pages import salaries

    from conftest import REPO, file_server

    out = tmp_path_factory.mktemp("chunked") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(salaries, "INLINE_ROWS", 50)
        rolebook.build(REPO, rolebook.BuildOptions(out=out, pdf=False))
    with file_server(out) as url:
        yield out, url


def test_a_large_handbook_loads_salaries_role_by_role(page, chunked_site, catalog):
    out, url = chunked_site
    with_salaries = [rid for rid, e in catalog.roles.items()
                     if e.role.salary is not None and e.role.salary.bands]
    first, other = with_salaries[0], with_salaries[1]
    html = (out / "salaries" / "index.html").read_text(encoding="utf-8")
    assert f'data-role="{first}"' in html and f'data-role="{other}"' not in html
    index = json.loads((out / "data" / "salaries" / "_index.json").read_text(encoding="utf-8"))
    assert [role_id for role_id, _ in index["roles"]] == with_salaries

    page.goto(url + "salaries/")
    table_text = "() => Array.from(document.querySelectorAll('#salary-table tbody'))" \
                 ".map(b => b.innerText).join(' ')"
    served = page.evaluate(table_text)
    options = page.eval_on_selector_all("#f-role option", "os => os.map(o => o.value)")
    assert options == with_salaries  # the list came from _index.json
    page.select_option("#f-role", other)
    page.wait_for_selector(f'#salary-table tbody[data-role="{other}"]')
    assert {r["role"] for r in visible_rows(page)} == {other}
    assert "?role=" + other in page.url
    page.select_option("#f-role", first)
    page.wait_for_selector(f'#salary-table tbody[data-role="{first}"]')
    rebuilt = page.evaluate(table_text)
    assert " ".join(rebuilt.split()) == " ".join(served.split())  # rows built by the script
    assert page.problems == []
