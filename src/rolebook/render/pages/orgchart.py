"""The org chart and the career ladder (``orgchart/``): reporting lines and promotions as SVG.

Reporting lines come from each role's ``reports_to`` and ``manages`` (the
resolve stage joins both directions), bosses outside the handbook from
``reports_to_other`` and other subordinates from ``manages_other``; each
department gets its own chart. The career ladder joins every role's
``career.paths_in`` and ``paths_out`` into one graph drawn bottom-up: where
people come from below, where they grow to above. Both are also listed as
text, for screen readers and for anyone who prefers to read.

A large handbook gets a page per department; a department with more than
``DEPARTMENT_PAGE_ROLES`` roles is drawn over several pages, from the top of
its reporting lines down (the first page holds its heads), each page with the
bosses its roles report to and, for subordinates drawn further on, one box
that leads to their page: no page grows with the handbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..diagram import Diagram, Edge, Node, layout
from ..html import relative_root
from ..views import ORGCHART_URL as URL, role_url

ONE_PAGE_UP_TO = 40  # roles; a larger handbook gets a page per department
DEPARTMENT_PAGE_ROLES = 40  # roles drawn on one page of a department
LISTED_SUBORDINATES = 12   # subordinates named in a role's line of the text list

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
    from ..views import roles_by_department
    from .home import top_roles

    index, department_pages = [], []
    for group in roles_by_department(catalog):
        dept, entries = group["department"], top_roles(catalog, group["roles"])
        size = DEPARTMENT_PAGE_ROLES
        chunks = [[e.id for e in entries[i:i + size]] for i in range(0, len(entries), size)]
        page_of = {rid: n for n, chunk in enumerate(chunks, 1) for rid in chunk}
        for number, chunk in enumerate(chunks, 1):
            department_pages.append((department_url(catalog, dept.id, number),
                                     _department_key(site, dept.id, number, chunk, page_of),
                                     (dept.id, number, chunk, page_of)))
        index.append({"department": dept, "url": department_url(catalog, dept.id),
                      "count": len(entries)})
    site.pages("html/orgchart.html", department_context, department_pages)
    site.page(URL, "html/orgchart.html", departments=[], ladder=None, moves=[], index=index,
              heading=None)


def department_context(site: "Site", page: tuple[str, int, list[str], dict[str, int]]) -> dict:
    """A page of a large handbook's department: the chart of the roles ``chunk`` (``page_of``:
    role id -> the number of the department's page that draws it), for ``Site.pages``."""
    department, number, chunk, page_of = page
    catalog = site.catalog
    url = department_url(catalog, department, number)
    root = relative_root(url)
    lines, steps = site.once("orgchart lines", lambda: (Lines.of(reporting_edges(catalog)),
                                                        career_steps(catalog)))
    dept = catalog.departments[department]
    chart = org_chart(catalog, department, root, chunk,
                      {rid: root + department_url(catalog, department, n)
                       for rid, n in page_of.items()}, lines)
    view = {"department": dept, "chart": chart, "roles": [catalog.roles[rid] for rid in chunk]}
    ladder, moves = career_ladder(catalog, root, set(chunk), steps)
    pages = [{"number": n, "url": department_url(catalog, department, n)}
             for n in range(1, max(page_of.values()) + 1)]
    return {"departments": [view], "ladder": ladder, "moves": moves, "index": None,
            "heading": dept.title, "nav_current": URL, "pages": pages, "number": number,
            "listed": LISTED_SUBORDINATES}


def _department_key(site: "Site", department: str, number: int, chunk: list[str],
                    page_of: dict[str, int]) -> str:
    """A department page's inputs: what every page shows, the files of its roles and of
    every role they report to, manage or name as a career step (whose titles it shows),
    and the page each of those is drawn on."""
    from ..keys import digest, named_roles

    catalog = site.catalog
    shown = set(chunk)
    for rid in chunk:
        shown |= named_roles(catalog, catalog.roles[rid])
        shown |= {other for other, step in _steps_into(catalog, rid)}
    return digest(["orgchart", site.common_key, department, str(number), *chunk,
                   *(f"{rid}={catalog.roles[rid].document.digest}@{page_of.get(rid, 0)}"
                     for rid in sorted(shown))])


def _steps_into(catalog: "Catalog", role_id: str) -> list[tuple[str, object]]:
    """Career steps of other roles that lead into or out of ``role_id``."""
    return [(other, step) for direction in ("paths_in", "paths_out")
            for other, step in catalog.career_mentions.get((role_id, direction), ())]


def department_url(catalog: "Catalog", department_id: str, number: int = 1) -> str:
    """The org chart page that shows this department (its page ``number`` when it has several)."""
    if len(catalog.roles) <= ONE_PAGE_UP_TO:
        return URL
    return f"{URL}{department_id}/" + (f"{number}/" if number > 1 else "")


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


def org_chart(catalog: "Catalog", department: str, root: str = "../",
              members: list[str] | None = None, pages: dict[str, str] | None = None,
              lines: "Lines | None" = None) -> Diagram | None:
    """The reporting lines of one department's roles, with whoever they touch outside it.

    With ``members`` (some of the department's roles) and ``pages`` (role id -> the page
    drawing it), only those roles, their bosses, and their subordinates among them; the
    other subordinates of a role are one box leading to the page of the first of them.
    ``lines``: the handbook's reporting lines, when the caller draws many charts.
    """
    group = _groups(catalog)
    if members is None:
        members = [rid for rid, e in catalog.roles.items() if e.role.department == department]
    if not members:
        return None
    lines = lines or Lines.of(reporting_edges(catalog))
    shown, edges, hidden = set(members), [], {}
    for boss, sub in lines.touching(members):
        if sub in shown or (boss in shown and (pages is None or sub in shown)):
            edges.append((boss, sub))
        elif boss in shown:
            hidden.setdefault(boss, []).append(sub)
    ids = list(dict.fromkeys(members + [rid for pair in edges for rid in pair]))
    ids.sort(key=catalog.order.__getitem__)
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
        if rid in hidden:
            subs = hidden[rid]
            target = (pages or {}).get(subs[0]) or root + role_url(subs[0])
            nodes.append(Node(f"more-{rid}", f"ещё {len(subs)}: к схеме", "other", href=target,
                              caption="в подчинении"))
            diagram_edges.append(Edge(rid, f"more-{rid}", dashed=True))
    title = catalog.departments[department].title
    return layout(Diagram(f"org-{department}", title, nodes, diagram_edges))


def career_ladder(catalog: "Catalog", root: str = "../", members: set[str] | None = None,
                  every: "tuple[Lines, dict[str, list[str]], dict[str, str]] | None" = None,
                  ) -> tuple[Diagram | None, list[Move]]:
    """Career steps as one bottom-up diagram, and the same steps as a list.

    With ``members``, only the steps into or out of those roles; ``every``: the
    handbook's ``career_steps``, when the caller draws many ladders.
    """
    group = _groups(catalog)
    lines, notes, titles = every or career_steps(catalog)
    pairs = lines.pairs if members is None else lines.touching(members)
    steps = {pair: notes[pair] for pair in pairs}
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


def career_steps(catalog: "Catalog") -> "tuple[Lines, dict, dict[str, str]]":
    """Every career step between positions the ladder can draw: the steps (source,
    target), their notes by step, and the text of positions outside the handbook by
    node id."""
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
             if all(n in catalog.roles or n in titles for n in pair)}
    return Lines.of(list(steps)), steps, titles


@dataclass
class Lines:
    """Pairs of nodes (reporting lines, career steps) in their order, found by node."""

    pairs: list[tuple[str, str]]
    by_node: dict[str, list[int]]

    @classmethod
    def of(cls, pairs: list[tuple[str, str]]) -> "Lines":
        by_node: dict[str, list[int]] = {}
        for index, pair in enumerate(pairs):
            for node in dict.fromkeys(pair):
                by_node.setdefault(node, []).append(index)
        return cls(pairs, by_node)

    def touching(self, nodes) -> list[tuple[str, str]]:
        """The pairs with a node among ``nodes``, in their order."""
        found = {i for node in nodes for i in self.by_node.get(node, ())}
        return [self.pairs[i] for i in sorted(found)]


def _add_step(steps: dict[tuple[str, str], list[str]], source: str, target: str,
              note: str | None) -> None:
    notes = steps.setdefault((source, target), [])
    if note and note not in notes:
        notes.append(note)
