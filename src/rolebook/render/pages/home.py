"""The home page (roles by department, articles, tools) and the 404 page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import views

if TYPE_CHECKING:
    from ..html import Site


def render(site: "Site") -> None:
    """Write index.html and 404.html."""
    catalog = site.catalog
    if not site.reuse(""):  # unchanged handbook: not even the role cards are computed
        site.page("", "html/home.html", groups=role_groups(site),
                  articles=[{"entry": e, "url": views.article_url(e.id)} for e in catalog.pages])
    # Served for any missing path at any depth: its links start at the server root.
    site.page("404.html", "html/404.html", root="/")


def role_groups(site: "Site") -> list[dict]:
    """The roles by department, each as a card (home page and roles index)."""
    return [{"department": group["department"],
             "roles": [role_card(site, entry) for entry in group["roles"]]}
            for group in views.roles_by_department(site.catalog)]


def role_card(site: "Site", entry) -> dict:
    """What the home page and the roles index show of one role (a ``RoleEntry``)."""
    role = entry.role
    return {"entry": entry, "role": role, "url": views.role_url(role.id),
            "pdf": views.pdf_url(role.id),
            "category": views.CATEGORY_LABELS[role.category],
            "lead": views.lead_sentence(role.summary),
            "pay": views.pay_summary(site.catalog, role)}
