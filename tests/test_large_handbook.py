"""A large handbook's listing pages stay small: no page lists every role.

Builds a generated handbook (bench/generate.py) of 200 roles in 20 departments
with small page limits, so that department pages and org chart pages are split
as they would be at 10,000 roles, and checks that the pages listing the
handbook (home, roles index, comparison picker, org chart) hold a bounded
number of roles, that every role is still reachable, and that with the real
limits no such page would pass 1 MB: a department page or an org chart page
holds a fixed number of roles (its size is its rows times the largest row
measured here), the others a fixed number per department.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import rolebook

ROLES = 200
SMALL_PAGE = 4   # roles a department page and an org chart page hold in this build
MEGABYTE = 1_000_000
TARGET_ROLES = 10_000


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """The generated handbook, built with pages of ``SMALL_PAGE`` roles; yields the site."""
    from conftest import REPO

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import content
        import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    root = tmp_path_factory.mktemp("large")
    generate.write_rolebook(content.Handbook.make(ROLES, "rolebook-bench"), root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("rolebook.render.pages.home.DEPARTMENT_PAGE_ROLES", SMALL_PAGE)
        patch.setattr("rolebook.render.pages.orgchart.DEPARTMENT_PAGE_ROLES", SMALL_PAGE)
        rolebook.build(root, rolebook.BuildOptions(pdf=False))
    return root / "site"


def main(site: Path, name: str) -> str:
    """The page's main content (not the menu)."""
    return (site / name).read_text(encoding="utf-8").split('id="main"', 1)[1]


MEMBER = re.compile(r'<li><a href="(?:\.\./)*roles/([a-z0-9-]+)/"[^>]*>[^<]*</a>:')  # org chart list


def role_links(html: str) -> set[str]:
    return set(re.findall(r'href="(?:\./|(?:\.\./)*)roles/([a-z0-9-]+)/"', html))


def test_home_and_roles_index_show_each_department_and_its_top_roles(large):
    from rolebook.render.pages import home

    departments = len(list((large / "departments").iterdir()))
    assert departments == 20
    for name in ("index.html", "roles/index.html"):
        shown = role_links(main(large, name))
        assert 0 < len(shown) <= min(home.TOP_ROLES * departments, home.TOP_ROLES_TOTAL), name
        assert len(re.findall(r'href="(?:\./|(?:\.\./)*)departments/[a-z0-9-]+/"',
                              main(large, name))) >= departments
    assert "development-director-00000" in role_links(main(large, "index.html"))  # the top


def test_every_role_is_on_one_department_page_and_one_org_chart_page(large):
    listed: list[str] = []
    for page in sorted(large.glob("departments/**/index.html")):
        rows = role_links(main(large, str(page.relative_to(large))).split("<tbody>", 1)[1])
        assert 0 < len(rows) <= SMALL_PAGE
        listed += rows
    drawn: list[str] = []
    for page in sorted(large.glob("orgchart/*/**/index.html")):
        html = main(large, str(page.relative_to(large)))
        members = MEMBER.findall(html)
        assert 0 < len(members) <= SMALL_PAGE
        drawn += members
    roles = {p.parent.name for p in large.glob("roles/*/index.html")}
    assert len(roles) == ROLES
    assert sorted(listed) == sorted(roles) and sorted(drawn) == sorted(roles)


def test_a_role_page_links_its_department_s_page(large):
    for page in sorted(large.glob("roles/*/index.html"))[:20]:
        html = main(large, str(page.relative_to(large)))
        (link,) = set(re.findall(r'href="((?:\.\./)*departments/[a-z0-9-]+/)"', html))
        assert (page.parent / link / "index.html").resolve().is_file(), link


def test_comparison_picker_loads_roles_by_department(large):
    import json

    html = main(large, "compare/index.html")
    assert "<option" in html and not role_links(html)
    assert len(re.findall(r"<option", html)) <= 1 + 20 + 2  # departments, two empty steps
    data = json.loads((large / "compare/departments/sales.json").read_text(encoding="utf-8"))
    for role_id, _title, pages in data["roles"]:
        for key, _ in pages:
            assert role_id in key.split("--")
            assert (large / "compare" / key / "index.html").is_file()
    # Without JavaScript: the department's pages list the same roles, a page at a time.
    listed = []
    for page in sorted(large.glob("compare/departments/sales/**/index.html")):
        roles = re.findall(r'<dt><a href="(?:\.\./)*roles/([a-z0-9-]+)/"', page.read_text("utf-8"))
        assert 0 < len(roles) <= SMALL_PAGE
        listed += roles
    assert sorted(listed) == sorted(role_id for role_id, _, _ in data["roles"])


def test_no_listing_page_would_pass_a_megabyte_at_10000_roles(large):
    import json

    from rolebook.render.pages import home, orgchart

    per_department = TARGET_ROLES / 20
    # Pages whose number of roles does not grow with the handbook: as they are now.
    for name in ("index.html", "roles/index.html", "compare/index.html", "orgchart/index.html"):
        assert (large / name).stat().st_size < MEGABYTE / 4, name
    # A department page: its rows at the real limit, each as large as the largest here.
    for page in large.glob("departments/**/index.html"):
        html = page.read_text(encoding="utf-8")
        rows = re.findall(r"<tr>.*?</tr>", html.split("<tbody>", 1)[1], re.S)
        largest = max(len(r.encode()) for r in rows)
        rest = len(html.encode()) - sum(len(r.encode()) for r in rows)
        assert rest + largest * home.DEPARTMENT_PAGE_ROLES < MEGABYTE, page
    # An org chart page: drawing, text and career steps; all of it counted per role.
    for page in large.glob("orgchart/*/**/index.html"):
        html = main(large, str(page.relative_to(large)))
        members = len(MEMBER.findall(html))
        size = page.stat().st_size
        assert size / members * orgchart.DEPARTMENT_PAGE_ROLES < MEGABYTE, page
    # A department's comparisons: an entry per role, a page of them at the real limit.
    for page in large.glob("compare/departments/**/index.html"):
        roles = len(re.findall(r"<dt>", page.read_text(encoding="utf-8")))
        assert page.stat().st_size / roles * home.DEPARTMENT_PAGE_ROLES < MEGABYTE, page
    # The picker's file of a department: every role of the department, fetched on demand.
    for data in large.glob("compare/departments/*.json"):
        roles = len(json.loads(data.read_text(encoding="utf-8"))["roles"])
        assert data.stat().st_size / roles * per_department < MEGABYTE, data
