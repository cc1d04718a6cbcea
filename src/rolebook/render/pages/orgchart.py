"""The org chart and the career ladder (``orgchart/``): reporting lines and promotions as SVG.

Reporting lines come from each role's ``reports_to`` and ``manages`` (the
resolve stage joins both directions), bosses outside the handbook from
``reports_to_other`` and other subordinates from ``manages_other``; each
department gets its own chart. The career ladder joins every role's
``career.paths_in`` and ``paths_out`` into one graph drawn bottom-up: where
people come from below, where they grow to above. Both are also listed as
text, for screen readers and for anyone who prefers to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..diagram import Diagram, Edge, Node, layout
from ..html import relative_root
from ..views import ORGCHART_URL as URL, role_url

ONE_PAGE_UP_TO = 40  # roles; a larger handbook gets a page per department

if TYPE_CHECKING:
    from ...resolve import Catalog
    from ..html import Site


@dataclass
class Move:
    """One career step between two positions, as the text list shows it."""

    source: Node
    target: Node
    notes: list[str]


def render(site: "Site") -> None:
    """Write ``orgchart/index.html`` (and a page per department for a large handbook)."""
    catalog = site.catalog
    if len(catalog.roles) <= ONE_PAGE_UP_TO:
        root = relative_root(URL)
        departments = [d for dept in catalog.handbook.departments
                       if (d := department_view(catalog, dept, root)) is not None]
        ladder, moves = career_ladder(catalog, root)
        site.page(URL, "html/orgchart.html", departments=departments, ladder=ladder,
                  moves=moves, index=None, heading=None)
        return
    # A large handbook: one page per department keeps each page and drawing readable.
    index = []
    for dept in catalog.handbook.departments:
        url = department_url(catalog, dept.id)
        view = department_view(catalog, dept, relative_root(url))
        if view is None:
            continue
        members = {entry.id for entry in view["roles"]}
        ladder, moves = career_ladder(catalog, relative_root(url), members)
        site.page(url, "html/orgchart.html", departments=[view], ladder=ladder, moves=moves,
                  index=None, heading=dept.title, nav_current=URL)
        index.append({"department": dept, "url": url, "count": len(members)})
    site.page(URL, "html/orgchart.html", departments=[], ladder=None, moves=[], index=index,
              heading=None)


def department_url(catalog: "Catalog", department_id: str) -> str:
    """The org chart page that shows this department."""
    return f"{URL}{department_id}/" if len(catalog.roles) > ONE_PAGE_UP_TO else URL


def department_view(catalog: "Catalog", dept, root: str) -> dict | None:
    """A department's chart and its roles, or None when it has no roles."""
    chart = org_chart(catalog, dept.id, root)
    if chart is None:
        return None
    members = [e for e in catalog.roles.values() if e.role.department == dept.id]
    return {"department": dept, "chart": chart, "roles": members}


def _groups(catalog: "Catalog") -> dict[str, int]:
    """Department id -> colour group."""
    return {dept.id: i for i, dept in enumerate(catalog.handbook.departments)}


def _role_node(catalog: "Catalog", role_id: str, root: str, group: dict[str, int]) -> Node:
    role = catalog.role(role_id)
    return Node(role_id, role.title, "role", href=root + role_url(role_id),
                group=group.get(role.department, 0))


def reporting_edges(catalog: "Catalog") -> list[tuple[str, str]]:
    """(boss, subordinate) pairs between roles of the handbook, each once."""
    pairs: dict[tuple[str, str], None] = {}
    for role_id, entry in catalog.roles.items():
        for boss in entry.reports_to:
            pairs[(boss, role_id)] = None
        for subordinate in entry.manages:
            pairs[(role_id, subordinate)] = None
    return [pair for pair in pairs if pair[0] in catalog.roles and pair[1] in catalog.roles]


def org_chart(catalog: "Catalog", department: str, root: str = "../") -> Diagram | None:
    """The reporting lines of one department's roles, with whoever they touch outside it."""
    group = _groups(catalog)
    members = [rid for rid, e in catalog.roles.items() if e.role.department == department]
    if not members:
        return None
    edges = [pair for pair in reporting_edges(catalog)
             if pair[0] in members or pair[1] in members]
    ids = list(dict.fromkeys(members + [rid for pair in edges for rid in pair]))
    ids.sort(key=list(catalog.roles).index)
    nodes = [_role_node(catalog, rid, root, group) for rid in ids]
    diagram_edges = [Edge(boss, sub) for boss, sub in edges]
    for rid in members:
        role = catalog.role(rid)
        if role.reports_to_other:
            ext = f"ext-{role.reports_to_other}"
            if ext not in {n.id for n in nodes}:
                nodes.insert(0, Node(ext, role.reports_to_other, "external", caption="подчиняется"))
            diagram_edges.append(Edge(ext, rid, dashed=True))
        for i, other in enumerate(role.manages_other):
            nodes.append(Node(f"other-{rid}-{i}", other, "other", caption="в подчинении"))
            diagram_edges.append(Edge(rid, f"other-{rid}-{i}", dashed=True))
    title = next(d.title for d in catalog.handbook.departments if d.id == department)
    return layout(Diagram(f"org-{department}", title, nodes, diagram_edges))


def career_ladder(catalog: "Catalog", root: str = "../",
                  members: set[str] | None = None) -> tuple[Diagram | None, list[Move]]:
    """Career steps as one bottom-up diagram, and the same steps as a list.

    With ``members``, only the steps into or out of those roles.
    """
    group = _groups(catalog)
    steps: dict[tuple[str, str], list[str]] = {}
    titles: dict[str, str] = {}  # node id -> text, for positions outside the handbook

    def position(step) -> str:
        if step.role is not None:
            return step.role
        titles[f"title-{step.title}"] = step.title
        return f"title-{step.title}"

    for role_id, entry in catalog.roles.items():
        for step in entry.role.career.paths_in:
            _add_step(steps, position(step), role_id, step.note)
        for step in entry.role.career.paths_out:
            _add_step(steps, role_id, position(step), step.note)
    steps = {pair: notes for pair, notes in steps.items()
             if (members is None or members & set(pair))
             and all(n in catalog.roles or n in titles for n in pair)}
    if not steps:
        return None, []
    nodes = {}
    for node_id in dict.fromkeys(n for pair in steps for n in pair):
        nodes[node_id] = _role_node(catalog, node_id, root, group) if node_id in catalog.roles \
            else Node(node_id, titles[node_id], "external")
    order = {rid: i for i, rid in enumerate(catalog.roles)}
    ordered = sorted(nodes.values(), key=lambda n: (n.kind != "role", order.get(n.id, 0), n.id))
    edges = [Edge(source, target, title="; ".join(notes) or None)
             for (source, target), notes in steps.items()]
    ladder = layout(Diagram("career", "Карьерная лестница", ordered, edges, upward=True))
    return ladder, [Move(nodes[s], nodes[t], notes) for (s, t), notes in steps.items()]


def _add_step(steps: dict[tuple[str, str], list[str]], source: str, target: str,
              note: str | None) -> None:
    notes = steps.setdefault((source, target), [])
    if note and note not in notes:
        notes.append(note)
