"""The home page (roles by department, articles, tools), the 404 page and, in a large
handbook, a page per department (``departments/<id>/``, split into numbered pages).

A small handbook shows every role on the home page and in the roles index, as
cards and table rows. A large one (more than ``SPLIT_ABOVE`` roles) shows there
each department with its number of roles and only its top roles (the heads of the
department first), and links to the department's own pages, which list all its
roles ``DEPARTMENT_PAGE_ROLES`` at a time: no listing page grows with the handbook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .. import format as fmt
from .. import keys, views

if TYPE_CHECKING:
    from ...model import Department
    from ...resolve import Catalog, RoleEntry
    from ..html import Site

SPLIT_ABOVE = 60              # roles; up to this every role is listed on the home page
TOP_ROLES = 4                 # a large handbook's home page: roles shown per department...
TOP_ROLES_TOTAL = 100         # ...and in all (fewer per department when there are many)
HOME_ARTICLES = 30            # articles listed on the home page (all of them: articles/)
DEPARTMENT_PAGE_ROLES = 100   # rows of a department page
DEPARTMENTS_URL = "departments/"


def render(site: "Site") -> None:
    """Write index.html, 404.html and (in a large handbook) the department pages."""
    catalog = site.catalog
    if not site.reuse(""):  # unchanged handbook: not even the role cards are computed
        articles = [{"entry": e, "url": views.article_url(e.id)}
                    for e in catalog.pages[:HOME_ARTICLES]]
        site.page("", "html/home.html", groups=role_groups(site), articles=articles,
                  more_articles=len(catalog.pages) - len(articles))
    # Served for any missing path at any depth: its links start at the site's own root.
    site.page("404.html", "html/404.html", root=server_root(catalog.handbook.base_url))
    if is_large(catalog):
        for group in views.roles_by_department(catalog):
            department_pages(site, group["department"], group["roles"])


def server_root(base_url: str | None) -> str:
    """The path the site is served under: "/" on a host of its own, "/handbook/" for
    https://example.ru/handbook/ (no base_url: the host's root)."""
    path = urlsplit(base_url or "").path
    return path if path.endswith("/") else path + "/"


def is_large(catalog: "Catalog") -> bool:
    """Whether the handbook lists its roles by department pages rather than all at once."""
    return len(catalog.roles) > SPLIT_ABOVE


def role_groups(site: "Site") -> list[dict]:
    """The roles by department (home page and roles index): [{department, roles: [role
    card], count, count_text, url}]. ``url`` is the department's page (None in a small
    handbook, where ``roles`` is every role of the department, else only its top roles)."""
    catalog = site.catalog
    groups = views.roles_by_department(catalog)
    if not is_large(catalog):
        return [{"department": g["department"], "count": len(g["roles"]), "url": None,
                 "count_text": roles_count(len(g["roles"])),
                 "roles": [role_card(site, entry) for entry in g["roles"]]} for g in groups]
    shown = max(1, min(TOP_ROLES, TOP_ROLES_TOTAL // max(1, len(groups))))
    return [{"department": g["department"], "count": len(g["roles"]),
             "count_text": roles_count(len(g["roles"])), "url": department_url(g["department"].id),
             "roles": [role_card(site, e) for e in top_roles(catalog, g["roles"])[:shown]]}
            for g in groups]


def top_roles(catalog: "Catalog", entries: list["RoleEntry"]) -> list["RoleEntry"]:
    """A department's roles from the top of its reporting lines down (those reporting
    to no one in the department first), in the handbook's order within a level."""
    depth = department_depths(entries)
    return sorted(entries, key=lambda e: (depth[e.id], catalog.order[e.id]))


def department_depths(entries: list["RoleEntry"]) -> dict[str, int]:
    """Role id -> its number of bosses above it inside the department (0: the top;
    roles only reachable through a loop of bosses count as the deepest)."""
    members = {e.id: e for e in entries}
    level = [rid for rid, e in members.items() if not any(b in members for b in e.reports_to)]
    depth = dict.fromkeys(level, 0)
    while level:  # breadth first, down the reporting lines
        below = [sub for rid in level for sub in members[rid].manages
                 if sub in members and sub not in depth]
        for sub in below:
            depth[sub] = depth[level[0]] + 1
        level = list(dict.fromkeys(below))
    return {rid: depth.get(rid, len(members)) for rid in members}


def role_card(site: "Site", entry) -> dict:
    """What the home page and the roles index show of one role (a ``RoleEntry``)."""
    role = entry.role
    return {"entry": entry, "role": role, "url": views.role_url(role.id),
            "pdf": views.pdf_url(role.id),
            "category": views.CATEGORY_LABELS[role.category],
            "lead": views.lead_sentence(role.summary),
            "pay": views.pay_summary(site.catalog, role)}


# -- department pages ---------------------------------------------------------------

def department_url(department_id: str, number: int = 1) -> str:
    """departments/<id>/ for the first page, departments/<id>/<n>/ for the next ones."""
    return f"{DEPARTMENTS_URL}{department_id}/" + (f"{number}/" if number > 1 else "")


def department_link(catalog: "Catalog", department_id: str) -> str:
    """Where a department's roles are listed: its own page in a large handbook, its
    section of the roles index in a small one."""
    if is_large(catalog):
        return department_url(department_id)
    return f"{views.ROLES_URL}#dept-{department_id}"


def department_pages(site: "Site", department: "Department",
                     entries: list["RoleEntry"]) -> None:
    """Write the pages of one department: its roles from the top of its reporting lines
    down, a page of ``DEPARTMENT_PAGE_ROLES`` at a time, each keyed by the roles it shows."""
    from .orgchart import department_url as orgchart_url

    entries = top_roles(site.catalog, entries)
    size = DEPARTMENT_PAGE_ROLES
    chunks = [entries[i:i + size] for i in range(0, len(entries), size)]
    pages = [{"number": n, "url": department_url(department.id, n)}
             for n in range(1, len(chunks) + 1)]
    for number, chunk in enumerate(chunks, 1):
        url = department_url(department.id, number)
        key = keys.digest(["department", site.common_key, department.id, str(number),
                           str(len(entries)), str(len(chunks)),
                           *(f"{e.id}={e.document.digest}" for e in chunk)])
        if site.reuse(url, key):
            continue
        site.page(url, "html/department.html", key=key, department=department,
                  count=len(entries), count_text=roles_count(len(entries)),
                  cards=[role_card(site, e) for e in chunk], pages=pages, number=number,
                  first=(number - 1) * size + 1, nav_current=views.ROLES_URL,
                  orgchart=orgchart_url(site.catalog, department.id))


def roles_count(count: int) -> str:
    """«1 должность», «3 должности», «25 должностей» (Russian plural rules from Babel)."""
    from babel import Locale

    form = Locale("ru").plural_form(count)
    word = {"one": "должность", "few": "должности"}.get(form, "должностей")
    return f"{count}{fmt.NBSP}{word}"
