"""The role comparison (``compare/``): two or three roles side by side.

Every comparison is a page of its own (``compare/<a>--<b>/``, roles in the
handbook's order), so it works without JavaScript; the picker on each page
switches between them with ``compare.js``, and without the script the pages
are listed as links. Which comparisons exist: those the content makes (a
role's ``comparisons``, and the triple of a role with two roles it compares
itself with), plus every pair and triple while the handbook is small enough
for that to stay cheap.

A large handbook (more than ``PICKER_UP_TO`` roles) would make a picker with
every role, and a list of every comparison, too heavy for one page. Its index
lists the departments instead, each with a page of the comparisons of its
roles (``compare/departments/<id>/``), and its picker asks first for the
department, then loads that department's roles and their comparisons from a
small file (``compare/departments/<id>.json``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import format as fmt
from ..data import json_bytes
from ..views import COMPARE_URL as URL, MISSING, band_kind, roles_by_department

if TYPE_CHECKING:
    from ...model import Band, Comparison as Declared, Role
    from ...resolve import Catalog
    from ..html import Site

ALL_PAIRS_UP_TO = 20     # roles; beyond this only the comparisons the content makes
ALL_TRIPLES_UP_TO = 8
PICKER_UP_TO = 60        # roles; beyond this the picker is on the index page only
SEPARATOR = "--"
DEPARTMENTS_URL = URL + "departments/"


@dataclass
class Note:
    """A comparison the content itself makes between two of the shown roles."""

    role: "Role"
    other: "Role"
    comparison: "Declared"


@dataclass
class PayRow:
    """Pay in one region (None: the market as a whole): lines of text per role."""

    label: str
    cells: list[list[str]]


@dataclass
class View:
    """One comparison page."""

    key: str
    roles: list["Role"]
    pay: list[PayRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{URL}{self.key}/"

    @property
    def title(self) -> str:
        titles = [role.title for role in self.roles]
        return ", ".join(titles[:-1]) + " и " + titles[-1]


def render(site: "Site") -> None:
    """Write ``compare/index.html`` and one page per comparison."""
    catalog = site.catalog
    listing = _listing(site)
    keys, declared, titles, small = listing.keys, listing.declared, listing.titles, listing.small
    if small:
        position = {k: i for i, k in enumerate(keys)}
        default = min(declared, key=lambda k: (-k.count(SEPARATOR), position[k]),
                      default=keys[0] if keys else "")
        site.page(URL, "html/compare.html", view=None, chosen=default.split(SEPARATOR),
                  picker=True, keys=keys, declared=[k for k in keys if k in declared],
                  titles=titles, departments=None)
    else:
        groups = department_groups(catalog, keys, titles, listing.by_role)
        for group in groups:
            department_files(site, group)
        site.page(URL, "html/compare.html", view=None, chosen=[], picker=True, keys=[],
                  declared=[], titles={}, departments=groups)
    site.pages("html/compare.html", comparison_context,
               ((f"{URL}{key}/", _page_key(site, key, listing), key) for key in keys))


@dataclass
class _Listing:
    """The comparisons of the handbook, and what each comparison page lists of them."""

    keys: list[str]
    declared: set[str]
    titles: dict[str, str]
    small: bool                              # every comparison on every page
    by_role: dict[str, list[int]] | None     # keys_by_role, for a large handbook

    def shown(self, key: str) -> tuple[list[str], dict[str, str]]:
        """The comparisons the page of ``key`` lists, and the titles of their roles: a
        large handbook lists only the comparisons of the same roles."""
        if self.small:
            return self.keys, self.titles
        shown = related_keys(self.keys, key, self.by_role)
        return shown, {rid: self.titles[rid] for k in shown for rid in k.split(SEPARATOR)}


def _listing(site: "Site") -> _Listing:
    def make() -> _Listing:
        catalog = site.catalog
        keys = comparison_keys(catalog)
        small = len(catalog.roles) <= PICKER_UP_TO
        return _Listing(keys, declared_keys(catalog),
                        {rid: e.role.title for rid, e in catalog.roles.items()},
                        small, None if small else keys_by_role(keys))

    return site.once("compare", make)


def comparison_context(site: "Site", key: str) -> dict:
    """The context of the page of the comparison ``key`` (``Site.pages`` calls it)."""
    listing = _listing(site)
    view = comparison(site.catalog, key)
    shown, titles = listing.shown(key)
    return dict(view=view, chosen=[r.id for r in view.roles], picker=listing.small,
                keys=shown, declared=[k for k in shown if k in listing.declared],
                titles=titles, departments=None)


def department_groups(catalog: "Catalog", keys: list[str], titles: dict[str, str],
                      by_role: dict[str, list[int]]) -> list[dict]:
    """The comparisons of a large handbook by department: [{department, url, data (its
    JSON file), count (comparisons), roles: [{id, title, pages: [{key, title}]}]}], each
    role with the comparisons that include it (``by_role``: ``keys_by_role``), titled by
    the other roles; departments and roles without comparisons are left out."""
    groups = []
    for group in roles_by_department(catalog):
        department = group["department"]
        roles = [{"id": e.id, "title": titles[e.id],
                  "pages": [{"key": k, "title": " · ".join(titles[r] for r in k.split(SEPARATOR)
                                                          if r != e.id)}
                            for k in (keys[i] for i in by_role[e.id])]}
                 for e in group["roles"] if e.id in by_role]
        if roles:
            groups.append({"department": department, "roles": roles,
                           "url": f"{DEPARTMENTS_URL}{department.id}/",
                           "data": f"{DEPARTMENTS_URL}{department.id}.json",
                           "count": len({p["key"] for r in roles for p in r["pages"]})})
    return groups


def department_files(site: "Site", group: dict) -> None:
    """Write a department's pages of comparisons (``DEPARTMENT_PAGE_ROLES`` roles a page)
    and the same list as JSON for the picker:
    {"roles": [[id, title, [[key, title of the other roles], ...]], ...]}."""
    from ..keys import digest
    from .home import DEPARTMENT_PAGE_ROLES as size

    data = {"roles": [[r["id"], r["title"], [[p["key"], p["title"]] for p in r["pages"]]]
                      for r in group["roles"]]}
    text = json_bytes(data).decode()
    key = digest(["compare-department", site.common_key, group["department"].id, text])
    if not site.output.reuse(group["data"], key):
        site.output.put(group["data"], text, key)
    chunks = [group["roles"][i:i + size] for i in range(0, len(group["roles"]), size)]
    pages = [{"number": n, "url": group["url"] + (f"{n}/" if n > 1 else "")}
             for n in range(1, len(chunks) + 1)]
    for page, chunk in zip(pages, chunks):
        page_key = digest([key, str(page["number"]), str(size)])
        if not site.reuse(page["url"], page_key):
            site.page(page["url"], "html/compare-department.html", key=page_key, group=group,
                      roles=chunk, pages=pages, number=page["number"], nav_current=URL)


def _page_key(site: "Site", key: str, listing: _Listing) -> str:
    """A comparison page's inputs: its roles' files and their bosses' (whose titles it
    shows), the comparisons it lists and their roles' titles, and what every page shows."""
    from ..keys import digest

    catalog = site.catalog
    shown, titles = listing.shown(key)
    ids = key.split(SEPARATOR)
    shown_roles = sorted({boss for rid in ids for boss in catalog.roles[rid].reports_to} | set(ids))
    return digest(["compare", site.common_key, key,
                   *(f"{rid}={catalog.roles[rid].document.digest}" for rid in shown_roles),
                   "\n".join(shown), "\n".join(k for k in shown if k in listing.declared),
                   *(f"{rid}={title}" for rid, title in sorted(titles.items()))])


def related_keys(keys: list[str], key: str,
                 by_role: dict[str, list[int]] | None = None) -> list[str]:
    """The comparisons that include one of the roles of the comparison ``key``, in the
    order of ``keys``; ``by_role`` (``keys_by_role``) finds them without a scan of all."""
    by_role = by_role if by_role is not None else keys_by_role(keys)
    found = {i for rid in key.split(SEPARATOR) for i in by_role.get(rid, ())}
    return [keys[i] for i in sorted(found)]


def keys_by_role(keys: list[str]) -> dict[str, list[int]]:
    """Role id -> the positions in ``keys`` of the comparisons that include it."""
    by_role: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        for rid in key.split(SEPARATOR):
            by_role.setdefault(rid, []).append(index)
    return by_role


def key_of(catalog: "Catalog", role_ids) -> str:
    """The page key of a set of roles: their ids in the handbook's order."""
    return SEPARATOR.join(sorted(set(role_ids), key=catalog.order.__getitem__))


def declared_keys(catalog: "Catalog") -> set[str]:
    """Pairs a role's ``comparisons`` name, and a role with two of the roles it names."""
    keys = set()
    for role_id, entry in catalog.roles.items():
        others = [c.role for c in entry.role.comparisons if c.role in catalog.roles]
        keys |= {key_of(catalog, (role_id, other)) for other in others}
        keys |= {key_of(catalog, (role_id, *pair)) for pair in itertools.combinations(others, 2)}
    return keys


def comparison_keys(catalog: "Catalog") -> list[str]:
    """Every comparison that gets a page, in a stable order."""
    ids = list(catalog.roles)
    keys = declared_keys(catalog)
    if len(ids) <= ALL_PAIRS_UP_TO:
        keys |= {key_of(catalog, pair) for pair in itertools.combinations(ids, 2)}
    if len(ids) <= ALL_TRIPLES_UP_TO:
        keys |= {key_of(catalog, triple) for triple in itertools.combinations(ids, 3)}
    order = catalog.order
    return sorted(keys, key=lambda k: (k.count(SEPARATOR), [order[r] for r in k.split(SEPARATOR)]))


def comparison(catalog: "Catalog", key: str) -> View:
    """What the page of ``key`` shows."""
    roles = [catalog.role(rid) for rid in key.split(SEPARATOR)]
    return View(key, roles, pay_rows(catalog, roles), notes(roles))


def notes(roles: list["Role"]) -> list[Note]:
    shown = {role.id: role for role in roles}
    found, seen = [], set()
    for role in roles:
        for declared in role.comparisons:
            pair = frozenset((role.id, declared.role))
            if declared.role in shown and pair not in seen:
                seen.add(pair)
                found.append(Note(role, shown[declared.role], declared))
    return found


# -- pay by city ------------------------------------------------------------------

def pay_rows(catalog: "Catalog", roles: list["Role"]) -> list[PayRow]:
    """A row per region any of the roles has figures for: each role's span there."""
    by_region: dict[str, dict] = {}  # role id -> region -> its bands there
    for role in roles:
        own = by_region[role.id] = {}
        for band in (role.salary.bands if role.salary else []):
            own.setdefault(band.region, []).append(band)
    regions = {region for own in by_region.values() for region in own}
    ordered = ([None] if None in regions else []) + [r for r in catalog.regions if r in regions]
    rows = []
    for region in ordered:
        label = catalog.regions[region].name if region else "В целом по рынку"
        cells = [region_lines(catalog, role, by_region[role.id].get(region, []))
                 for role in roles]
        rows.append(PayRow(label, cells))
    return rows


def region_lines(catalog: "Catalog", role: "Role", bands: list["Band"]) -> list[str]:
    """One line per segment: «Агентства: 27 000–110 000 ₽, медиана 60 000 ₽»."""
    if not bands:
        return [MISSING]
    currency = role.salary.currency
    segments = [None] + list(catalog.segments)
    lines = []
    for segment in segments:
        own = [b for b in bands if b.segment == segment]
        if own:
            text = span_text(own, currency)
            name = catalog.segments[segment].name if segment in catalog.segments else None
            lines.append(f"{name}: {text}" if name else text)
    return lines


def span_text(bands: list["Band"], currency: str) -> str:
    """From the lowest to the highest figure of the bands, with their medians."""
    lows = [v for b in bands for v in (b.min, b.value) if v is not None]
    highs = [v for b in bands for v in (b.max, b.value) if v is not None]
    medians = sorted({b.median for b in bands if b.median is not None})
    parts = []
    if highs:
        low, high = (min(lows) if lows else None), max(highs)
        if all(band_kind(b) in ("up_to", "median") for b in bands):
            parts.append(f"до{fmt.NBSP}{fmt.money(high, currency)}")
        elif low is None or low == high:
            parts.append(fmt.money(high, currency))
        else:
            parts.append(f"{fmt.number(low)}–{fmt.money(high, currency)}")
    if medians:
        shown = fmt.money(medians[0], currency) if len(medians) == 1 else \
            f"{fmt.number(medians[0])}–{fmt.money(medians[-1], currency)}"
        parts.append(f"медиана {shown}")
    return ", ".join(parts)
