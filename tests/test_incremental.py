"""Incremental builds: a rebuild writes only the files whose inputs changed.

Builds a private copy of the bundled handbook (HTML and data, no PDFs), then
changes one thing and reads ``BuildReport.written``. Which role pages must be
written again is read from the site itself: the pages that link to the
changed role, and those it links to.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rolebook

ROLE_PAGE = re.compile(r"^roles/([^/]+)/index\.html$")
CHANGED = "sales-manager"  # shown by three role pages, not by three others


def build(root: Path) -> rolebook.BuildReport:
    return rolebook.build(root, rolebook.BuildOptions(pdf=False))


def role_pages(names) -> set[str]:
    """Role ids of the role pages among ``names``."""
    return {m.group(1) for name in names if (m := ROLE_PAGE.match(name))}


def linked_roles(page: Path) -> set[str]:
    """The role pages a page links to (relative links like ../sales-manager/ or ../../roles/x/)."""
    main = page.read_text(encoding="utf-8").split('id="main"', 1)[-1]  # not the menu
    return set(re.findall(r'href="(?:\.\./)+(?:roles/)?([a-z0-9-]+)/"', main)) - {"roles"}


@pytest.fixture(autouse=True)
def fixed_code(monkeypatch):
    """rolebook's own sources are part of every key; hold them fixed, so that an edit of
    the checkout during the test does not count as a change of the handbook."""
    monkeypatch.setattr("rolebook.render.keys.code_key", lambda: "code")


@pytest.fixture
def built(handbook_copy) -> Path:
    build(handbook_copy)
    return handbook_copy


def test_nothing_changed_writes_nothing(built):
    site = built / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    report = build(built)
    assert report.written == []
    assert any(name.startswith("roles/") for name in report.reused)
    assert any(name.startswith("pagefind/") for name in report.reused)
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before


def test_one_role_changed_rewrites_its_page_the_pages_showing_it_and_aggregates(built):
    site = built / "site"
    roles = {p.parent.name for p in (site / "roles").glob("*/index.html")}
    showing = {r for r in roles if CHANGED in linked_roles(site / "roles" / r / "index.html")}
    shown = linked_roles(site / "roles" / CHANGED / "index.html") & roles
    expected = {CHANGED} | showing | shown
    assert showing and expected != roles, "the handbook no longer tests what this test is for"

    source = built / "content" / "roles" / f"{CHANGED}.yaml"
    text = source.read_text(encoding="utf-8")
    duty = re.search(r"^duties:\n  - (.+)$", text, re.M).group(1)
    source.write_text(text.replace(duty, "Ведёт учёт новых клиентов в CRM", 1), encoding="utf-8")
    report = build(built)

    assert role_pages(report.written) == expected
    assert role_pages(report.reused) == roles - expected
    written = set(report.written)
    for aggregate in ("index.html", "roles/index.html", "salaries/index.html",
                      "data/roles.json", "data/salaries.csv"):
        assert aggregate in written
    assert any(name.startswith("pagefind/") for name in written)  # the index is redone
    # Comparison pages: those of the changed role (no role reports to it, whose page
    # would show its title too); the others are kept.
    comparisons = {p.parent.name for p in (site / "compare").glob("*/index.html")}
    involving = {key for key in comparisons if CHANGED in key.split("--")}
    assert involving and comparisons - involving
    assert {name.split("/")[1] for name in written
            if name.startswith("compare/") and name != "compare/index.html"} == involving
    assert not any(name.startswith("assets/") for name in written)
    page = (site / "roles" / CHANGED / "index.html").read_text(encoding="utf-8")
    assert "Ведёт учёт новых клиентов в CRM" in page and duty not in page
    assert "Ведёт учёт новых клиентов в CRM" in (site / "data" / "roles.json").read_text("utf-8")


def test_template_override_rewrites_every_role_page(built):
    site = built / "site"
    roles = {p.parent.name for p in (site / "roles").glob("*/index.html")}
    override = built / "templates" / "html" / "role.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "theme/html/role.html" %}\n'
                        '{% block title %}Проверка шаблона: {{ super() }}{% endblock %}\n',
                        encoding="utf-8")
    report = build(built)
    assert role_pages(report.written) == roles
    for role in roles:
        assert "<title>Проверка шаблона: " in (site / "roles" / role / "index.html").read_text("utf-8")

    override.write_text(override.read_text(encoding="utf-8").replace("Проверка", "Правка"),
                        encoding="utf-8")
    report = build(built)  # a change to the override alone
    assert role_pages(report.written) == roles
    assert "<title>Правка шаблона: " in (site / "roles" / CHANGED / "index.html").read_text("utf-8")


def test_a_page_changed_on_disk_is_rendered_again(built):
    page = built / "site" / "roles" / CHANGED / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<main", b"<main data-edited", 1))
    report = build(built)
    assert f"roles/{CHANGED}/index.html" in report.written
    assert page.read_bytes() == original


def test_another_rolebook_renders_everything_again(built, monkeypatch):
    monkeypatch.setattr("rolebook.render.keys.code_key", lambda: "another version")
    report = build(built)
    assert not any(name.endswith(".html") for name in report.reused)


def every_result(page) -> list[str]:
    """The paths of every result of the search on ``page``: «Показать ещё» clicked until it
    is gone and the list has stopped growing (results load one by one)."""
    results, button = page.locator(".pagefind-ui__result-link"), page.locator(".pagefind-ui__button")
    page.wait_for_selector(".pagefind-ui__result-link")
    seen = -1
    for _ in range(100):
        if not button.count() and results.count() == seen:
            break
        seen = results.count()
        if button.count():
            button.click()
        page.wait_for_timeout(400)
    return page.eval_on_selector_all(".pagefind-ui__result-link",
                                      "as => as.map(a => new URL(a.href).pathname)")


def test_search_index_in_shards_redoes_only_the_shard_of_a_changed_role(handbook_copy,
                                                                       monkeypatch, browser):
    """A large handbook's index is split by department (here: shards of at least 3 pages);
    the search page searches all of them as one."""
    from conftest import file_server

    monkeypatch.setattr("rolebook.render.pages.search.SHARD_PAGES", 3)
    build(handbook_copy)
    site = handbook_copy / "site"
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == \
        ["articles", "client-service", "sales"]

    source = handbook_copy / "content" / "roles" / f"{CHANGED}.yaml"  # a role of sales
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("\nduties:\n", "\nduties:\n  - Ведёт учёт сделок в CRM\n", 1),
                      encoding="utf-8")
    report = build(handbook_copy)
    assert {name.split("/")[1] for name in report.written if name.startswith("pagefind/")} \
        == {"sales"}
    assert any(name.startswith("pagefind/client-service/") for name in report.reused)

    with file_server(site) as url:
        page = browser.new_page()
        page.goto(url + "search/?q=клиентов")
        links = every_result(page)
        page.goto(url + "search/?q=сделок")
        page.wait_for_selector(".pagefind-ui__result-link")
        changed = page.eval_on_selector_all(".pagefind-ui__result-link",
                                            "as => as.map(a => new URL(a.href).pathname)")
        page.close()
    assert "/roles/client-manager/" in links        # client-service
    assert "/roles/head-of-sales/" in links         # sales
    assert any(link.startswith("/articles/") for link in links)
    assert f"/roles/{CHANGED}/" in changed          # the re-indexed shard


def test_department_pages_of_a_large_handbook_are_redone_only_for_the_changed_role(
        handbook_copy, monkeypatch):
    """Built as a large handbook (department pages, comparisons and org chart by
    department): a role's change rewrites the pages of its own department only."""
    monkeypatch.setattr("rolebook.render.pages.home.SPLIT_ABOVE", 0)
    monkeypatch.setattr("rolebook.render.pages.compare.PICKER_UP_TO", 0)
    monkeypatch.setattr("rolebook.render.pages.orgchart.ONE_PAGE_UP_TO", 0)
    build(handbook_copy)
    site = handbook_copy / "site"
    listing = {"departments/sales/index.html", "departments/client-service/index.html",
               "compare/departments/sales/index.html", "compare/departments/sales.json",
               "compare/departments/client-service.json", "orgchart/sales/index.html"}
    assert all((site / name).is_file() for name in listing)
    assert not set(build(handbook_copy).written) & listing  # nothing changed: all kept

    source = handbook_copy / "content" / "roles" / f"{CHANGED}.yaml"
    text = source.read_text(encoding="utf-8")
    duty = re.search(r"^duties:\n  - (.+)$", text, re.M).group(1)
    source.write_text(text.replace(duty, "Ведёт учёт новых клиентов в CRM", 1), encoding="utf-8")
    written = set(build(handbook_copy).written)
    assert {"departments/sales/index.html", "orgchart/sales/index.html"} <= written
    # Another department's page, and the comparison lists (titles unchanged), are kept.
    assert not {"departments/client-service/index.html", "compare/departments/sales/index.html",
                "compare/departments/sales.json"} & written


def test_a_site_up_to_date_is_not_even_checked_again(built, monkeypatch):
    """When nothing a build reads changed (content, theme, rolebook, its libraries, the
    options) and the site is as it was written, a rebuild stops before reading content;
    any change to those makes it read and check the handbook again."""
    real_check = rolebook.pipeline.check

    def no_check(root):
        raise AssertionError("the handbook was read again")

    monkeypatch.setattr("rolebook.pipeline.check", no_check)
    report = build(built)
    assert report.written == [] and f"roles/{CHANGED}/index.html" in report.reused

    templates = built / "templates" / "html"
    changes = {
        "a file added to content/": lambda: (built / "content" / "notes.csv").write_text(
            "a,b\n", encoding="utf-8"),
        "a template added": lambda: templates.mkdir(parents=True) or (
            templates / "extra.html").write_text("x", encoding="utf-8"),
        "a page of the site edited": lambda: (built / "site" / "index.html").write_bytes(b"x"),
    }
    for what, change in changes.items():
        change()
        with pytest.raises(AssertionError, match="read again"):
            build(built)
        monkeypatch.setattr("rolebook.pipeline.check", real_check)
        build(built)
        monkeypatch.setattr("rolebook.pipeline.check", no_check)
        assert build(built).written == [], what
    with pytest.raises(AssertionError, match="read again"):  # --no-pdf is an input too
        rolebook.build(built, rolebook.BuildOptions(pdf=True))
