"""The roles index (roles/) and a page per role (roles/<id>/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import chart, jsonld, keys, views
from .home import department_link, is_large, role_groups

if TYPE_CHECKING:
    from ..html import Site


def render(site: "Site") -> None:
    """Write roles/index.html and roles/<id>/index.html for every role."""
    catalog = site.catalog
    if not site.reuse(views.ROLES_URL):
        site.page(views.ROLES_URL, "html/roles.html", groups=role_groups(site))
    related = site.related_roles
    # A role's page depends on its own file, the roles it shows and the articles naming
    # it: a change elsewhere keeps the previous page, without building its context.
    # Its department's link changes when the handbook outgrows a single roles index.
    common = keys.digest([site.common_key, "department pages" if is_large(catalog) else ""])
    site.pages("html/role.html", role_context,
               ((views.role_url(entry.id),
                 keys.role_page_key(catalog, entry, common, related.get(entry.id, set())),
                 entry.id) for entry in by_department(catalog)))


def by_department(catalog) -> list:
    """The roles, department after department (in the order they first appear), as the
    search index's shards take them: a shard is indexed as soon as its pages are done."""
    order: dict[str, int] = {}
    for entry in catalog.roles.values():
        order.setdefault(entry.role.department, len(order))
    return sorted(catalog.roles.values(), key=lambda entry: order[entry.role.department])


def compare_url(catalog, *role_ids: str) -> str:
    """The comparison page of these roles (compare/ alone when only one is given)."""
    from .compare import key_of

    return views.COMPARE_URL + (key_of(catalog, role_ids) + "/" if len(set(role_ids)) > 1 else "")


def role_context(site: "Site", role_id: str) -> dict:
    """Everything the page of the role ``role_id`` shows (``Site.pages`` calls it)."""
    catalog = site.catalog
    entry = catalog.roles[role_id]
    role = entry.role
    tables = views.salary_tables(catalog, role)
    scale = max((chart.table_max(t) for t in tables), default=None)
    department = catalog.departments.get(role.department)
    return {
        "entry": entry,
        "role": role,
        "department": department,
        "department_url": department_link(catalog, department.id) if department else None,
        "category": views.CATEGORY_LABELS[role.category],
        "pdf": views.pdf_url(role.id),
        "pay": views.pay_summary(catalog, role),
        "salary": [_salary_item(t, scale) for t in tables],
        "salary_source": views.source_titles(catalog, [role.salary.source]) if role.salary else [],
        "sources": views.source_titles(catalog, role.sources),
        "career": views.career(catalog, role),
        "comparisons": [c | {"url": compare_url(catalog, role.id, c["role"])}
                        for c in views.comparisons(catalog, role)],
        "compare_url": compare_url(catalog, role.id, *[c.role for c in role.comparisons][:2]),
        "articles": [{"entry": p, "url": views.article_url(p.id)}
                     for p in catalog.pages if role.id in p.page.roles],
        "jsonld": jsonld.script_json(jsonld.occupation(catalog, role)),
    }


def _salary_item(table: "views.SalaryTable", scale: float | None) -> dict:
    """A salary table with its chart, on the role's common scale."""
    return {"table": table, "chart": chart.salary_chart(table, scale)}
