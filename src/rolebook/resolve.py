"""Stage 3, resolve: validated models in, one consistent ``Catalog`` out.

Checks what no single file can check on its own (references to roles,
regions, segments, grades, departments and sources exist; ids are unique;
reporting lines have no cycles; each salary band is given once) and derives
what the renderers need (whom a role manages, in both directions). Every
problem is reported at the position of the value that causes it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from pydantic import BaseModel

from .errors import ContentError, Problem
from .load import Document, Sources, Unreadable
from .model import (ID_PATTERN, Band, BandSummary, CareerStep, Comparison, Department, Handbook,
                    Page, Region, Regions, Role, Segment, share_equal_values)
from .morph import Inflector
from .validate import dotted as _dot, validate
from .write import RESERVED_NAMES
from .yamlpos import YamlProblem


@dataclass(frozen=True)
class RoleEntry:
    """A role with its source document and what is derived from the others."""

    role: Role
    document: Document
    reports_to: tuple[str, ...]
    manages: tuple[str, ...]
    title_genitive: str = ""  # «менеджера по продажам»: the heading of the job description
    title_dative: str = ""    # «менеджеру по продажам»: after «подчиняется»

    @property
    def id(self) -> str:
        return self.role.id


@dataclass(frozen=True)
class PageEntry:
    id: str
    page: Page
    document: Document


@dataclass
class Catalog:
    """The whole handbook, validated and cross-referenced."""

    handbook: Handbook
    regions: dict[str, Region]
    segments: dict[str, Segment]
    roles: dict[str, RoleEntry]
    pages: list[PageEntry] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    warnings: list[Problem] = field(default_factory=list)  # doubts that do not stop a build

    def role(self, role_id: str) -> Role:
        return self.roles[role_id].role

    @cached_property
    def career_mentions(self) -> dict[tuple[str, str], list[tuple[str, "CareerStep"]]]:
        """(role id, "paths_in" | "paths_out") -> [(other role id, step)] of the other roles'
        career steps that name the role, in the handbook's order (one pass, not one per page)."""
        found: dict = defaultdict(list)
        for other in self.roles.values():
            for direction in ("paths_in", "paths_out"):
                for step in getattr(other.role.career, direction):
                    if step.role:
                        found[(step.role, direction)].append((other.id, step))
        return found

    @cached_property
    def compared_by(self) -> dict[str, list[tuple[str, "Comparison"]]]:
        """Role id -> [(other role id, comparison)] of the comparisons other roles make with it."""
        found: dict = defaultdict(list)
        for other in self.roles.values():
            for comparison in other.role.comparisons:
                found[comparison.role].append((other.id, comparison))
        return found

    @cached_property
    def departments(self) -> dict[str, Department]:
        """The handbook's departments by id."""
        return {department.id: department for department in self.handbook.departments}

    @cached_property
    def order(self) -> dict[str, int]:
        """Each role's position in the handbook's order (departments, heads first, titles)."""
        return {role_id: index for index, role_id in enumerate(self.roles)}


def model(sources: Sources, each_role: Callable[[Document, Role], None] | None = None
          ) -> tuple[Handbook | None, Regions | None, list[tuple[Role, Document]],
                     list[PageEntry], list[Problem]]:
    """Parse and validate every loaded document, one at a time (None where that failed).

    A document the cache had a model for is neither parsed nor validated again; a newly
    validated one is stored in the cache. A file whose YAML cannot be read counts as
    missing (regions.yaml: as none, so that the references to regions are checked too).
    ``each_role(document, role)`` is called for some roles as soon as they are validated, while
    worker processes validate others (``ModelCache.fill``): work that can start early.
    """
    problems: list[Problem] = list(sources.problems)
    shared: dict = {}  # equal values of all the models, one object each

    def validated(document: Document | None, cls: type) -> tuple[bool, BaseModel | None]:
        """Whether the document could be read, and its model."""
        if document is None:
            return False, None
        return _validated(sources, document, cls, problems, shared)

    if sources.cache is not None:  # a cold build of a large handbook: on all the cores
        sources.cache.fill(sources.roles, Role, each_role)
    handbook = validated(sources.handbook, Handbook)[1]
    readable, regions = validated(sources.regions, Regions)
    if not readable:
        regions = Regions.model_construct(regions=[], segments=[])
    roles = [(role, doc) for doc in sources.roles if (role := validated(doc, Role)[1]) is not None]
    pages = [PageEntry(doc.path.stem, page, doc) for doc in sources.pages
             if (page := validated(doc, Page)[1]) is not None]
    if sources.cache is not None:
        sources.cache.prune()
    return handbook, regions, roles, pages, problems


def _validated(sources: Sources, document: Document, cls: type, problems: list[Problem],
               shared: dict) -> tuple[bool, BaseModel | None]:
    """Whether the document could be read, and its model: from the cache, or parsed and
    validated now (and then cached)."""
    cache = sources.cache if document.cache_key else None
    found = cache.get(document.cache_key, cls) if cache is not None else None
    if found is None:
        try:
            data = document.data
        except YamlProblem as exc:
            problems.append(Problem(document.name, exc.line, exc.column, exc.message))
            return False, None
        except Unreadable as exc:
            problems.append(Problem(document.name, 0, 0, str(exc)))
            return False, None
        found = validate(document, cls, problems, data)
        if found is not None and cache is not None:
            cache.put(document.cache_key, found)
    if found is not None and not (cache is not None and cache.shares(document.cache_key)):
        share_equal_values(found, shared)
    return True, found


def resolve(sources: Sources) -> Catalog:
    """Validate and cross-check the loaded handbook; raise ``ContentError`` on problems."""
    # Declining a title takes about a millisecond: unchanged titles come from the handbook's cache,
    # new ones are declined while the worker processes validate the roles (the catalog
    # takes them from the inflector's memory, with their warnings).
    inflector, warnings = Inflector(sources.root / ".rolebook-cache"), []
    handbook, regions, roles, pages, problems = model(
        sources, lambda doc, role: inflector.role_titles(role, doc, []))
    if handbook is None or regions is None:
        raise ContentError(problems)  # references cannot be checked against broken lists
    checker = _Checker(handbook, regions, roles, problems)
    # A role that failed validation still exists: do not also report it as unknown.
    checker.role_ids |= sources.role_ids
    checker.check_all(sources, pages)
    if problems:
        raise ContentError(problems)
    manages = checker.manages()
    catalog = Catalog(
        handbook=handbook,
        regions={r.id: r for r in regions.regions},
        segments={s.id: s for s in regions.segments},
        roles={role.id: RoleEntry(role, doc, tuple(checker.reports[role.id]),
                                  tuple(manages[role.id]),
                                  *inflector.role_titles(role, doc, warnings))
               for role, doc in sorted(roles, key=lambda pair: _role_order(handbook, pair[0]))},
        pages=sorted(pages, key=lambda p: (p.page.order, p.page.title)),
        digests={d.name: d.digest for d in _all_documents(sources)},
        warnings=warnings,
    )
    inflector.save_cache()
    return catalog


def _role_order(handbook: Handbook, role: Role) -> tuple:
    departments = [d.id for d in handbook.departments]
    rank = departments.index(role.department) if role.department in departments else 99
    return (rank, role.category != "head", role.title)


def _all_documents(sources: Sources) -> Iterable[Document]:
    yield from (d for d in (sources.handbook, sources.regions) if d is not None)
    yield from sources.roles
    yield from sources.pages


class _Checker:
    """The cross-file rules, each a small method appending problems."""

    def __init__(self, handbook: Handbook, regions: Regions,
                 roles: list[tuple[Role, Document]], problems: list[Problem]):
        self.handbook, self.regions, self.roles, self.problems = handbook, regions, roles, problems
        self.role_ids = {role.id for role, _ in roles}
        self.region_ids = {r.id for r in regions.regions}
        self.segment_ids = {s.id for s in regions.segments}
        self.department_ids = {d.id for d in handbook.departments}
        self.source_ids = {s.id for s in handbook.sources}
        self.reports = {role.id: list(role.reports_to) for role, _ in roles}

    def check_all(self, sources: Sources, pages: list[PageEntry]) -> None:
        self.check_unique_ids(sources)
        for role, doc in self.roles:
            self.check_role(role, doc)
        for entry in pages:
            self.check_page(entry)
        self.check_cycles()

    # -- ids ------------------------------------------------------------------
    def check_unique_ids(self, sources: Sources) -> None:
        if sources.handbook:
            self._unique(sources.handbook, ("departments",),
                         [d.id for d in self.handbook.departments], "department")
            for i, dept in enumerate(self.handbook.departments):
                if dept.head is not None:
                    self._ref(sources.handbook, ("departments", i, "head"), dept.head,
                              self.role_ids, "role")
        if sources.regions:
            self._unique(sources.regions, ("regions",), [r.id for r in self.regions.regions], "region")
            self._unique(sources.regions, ("segments",),
                         [s.id for s in self.regions.segments], "segment")
        seen: dict[str, Document] = {}
        for role, doc in self.roles:
            if role.id != doc.path.stem:
                self.problems.append(doc.problem(("id",), (
                    f"id: '{role.id}' does not match the file name '{doc.path.name}'; "
                    f"rename the file to {role.id}.yaml or change the id")))
            if role.id in RESERVED_NAMES:
                self.problems.append(doc.problem(("id",), (
                    f"id: '{role.id}' is a reserved file name on Windows; choose another id")))
            if role.id in seen:
                self.problems.append(doc.problem(("id",), (
                    f"id: '{role.id}' is already used by {seen[role.id].name}")))
            seen.setdefault(role.id, doc)

    def _unique(self, doc: Document, loc: tuple, ids: list[str], what: str) -> None:
        counts = Counter(ids)
        for i, value in enumerate(ids):
            if counts[value] > 1 and ids.index(value) != i:
                self.problems.append(doc.problem(loc + (i, "id"),
                                                 f"{_dot(loc)}[{i}].id: duplicate {what} id '{value}'"))

    def _ref(self, doc: Document, loc: tuple, value: str, known: set[str], what: str) -> None:
        if value not in known:
            self.problems.append(doc.problem(loc, f"{_dot(loc)}: unknown {what} '{value}'"
                                                  f"{_suggest(value, known)}"))

    # -- one role ---------------------------------------------------------------
    def check_role(self, role: Role, doc: Document) -> None:
        self._ref(doc, ("department",), role.department, self.department_ids, "department")
        self._sources(doc, ("sources",), role.sources)
        for field_name in ("reports_to", "manages"):
            for i, other in enumerate(getattr(role, field_name)):
                if other != role.id:
                    self._ref(doc, (field_name, i), other, self.role_ids, "role")
                else:
                    self.problems.append(doc.problem((field_name, i),
                                                     f"{field_name}[{i}]: a role cannot refer to itself"))
        for direction in ("paths_in", "paths_out"):
            for i, step in enumerate(getattr(role.career, direction)):
                if step.role is not None:
                    self._ref(doc, ("career", direction, i, "role"), step.role, self.role_ids, "role")
        for i, comparison in enumerate(role.comparisons):
            self._ref(doc, ("comparisons", i, "role"), comparison.role, self.role_ids, "role")
        self._unique(doc, ("levels",), [level.id for level in role.levels], "level")
        self._unique(doc, ("kpis",), [kpi.id for kpi in role.kpis], "KPI")
        if role.salary is not None:
            self.check_salary(role, doc)

    def _sources(self, doc: Document, loc: tuple, values: list[str]) -> None:
        if self.source_ids:
            for i, value in enumerate(values):
                self._ref(doc, loc + (i,), value, self.source_ids, "source")

    def check_salary(self, role: Role, doc: Document) -> None:
        salary = role.salary
        self._sources(doc, ("salary",), [salary.source])
        grade_ids = {g.id for g in salary.grades}
        self._unique(doc, ("salary", "grades"), [g.id for g in salary.grades], "grade")
        for i, level in enumerate(role.levels):
            if level.salary_grade is not None:
                self._ref(doc, ("levels", i, "salary_grade"), level.salary_grade, grade_ids, "grade")
        if self._bands_fine(salary.summary, grade_ids):
            return  # the usual case, told by the bands' summary (a large handbook has millions)
        seen: dict[tuple, int] = {}
        for i, band in enumerate(salary.bands):
            self._check_band(doc, i, band, grade_ids)
            key = (band.region, band.segment, band.grade)
            if key in seen:
                self.problems.append(doc.problem(("salary", "bands", i), (
                    f"salary.bands[{i}]: the same region, segment and grade as "
                    f"salary.bands[{seen[key]}]")))
            seen.setdefault(key, i)

    def _bands_fine(self, summary: BandSummary, grade_ids: set[str]) -> bool:
        """Do the bands name only known regions, segments and grades, each combination
        once, with every median inside its range? (Else each band is checked to say where.)"""
        return (summary.regions - {None} <= self.region_ids
                and summary.segments - {None} <= self.segment_ids
                and summary.grades - {None} <= grade_ids
                and summary.distinct and summary.medians_inside)

    def _check_band(self, doc: Document, i: int, band: Band, grade_ids: set[str]) -> None:
        loc = ("salary", "bands", i)
        # Some hundred bands a role: the usual case (all known) is tested here, not in _ref.
        if band.region is not None and band.region not in self.region_ids:
            self._ref(doc, loc + ("region",), band.region, self.region_ids, "region")
        if band.segment is not None and band.segment not in self.segment_ids:
            self._ref(doc, loc + ("segment",), band.segment, self.segment_ids, "segment")
        if band.grade is not None and band.grade not in grade_ids:
            self._ref(doc, loc + ("grade",), band.grade, grade_ids, "grade")
        if band.median is not None and band.min is not None and not band.min <= band.median <= band.max:
            self.problems.append(doc.problem(loc + ("median",), (
                f"salary.bands[{i}].median: {band.median} is outside {band.min}–{band.max}")))

    def check_page(self, entry: PageEntry) -> None:
        # The file name is the article's id and its folder in the site (articles/<id>/).
        if entry.id in RESERVED_NAMES:
            self.problems.append(Problem(entry.document.name, 0, 0, (
                f"'{entry.id}' is a reserved file name on Windows; rename the file")))
        elif not re.fullmatch(ID_PATTERN, entry.id):
            self.problems.append(Problem(entry.document.name, 0, 0, (
                "the file name is the article's address in the site: rename the file with "
                "lowercase latin letters, digits and single hyphens, like how-to-become-kam.md")))
        for i, role_id in enumerate(entry.page.roles):
            self._ref(entry.document, ("roles", i), role_id, self.role_ids, "role")
        self._sources(entry.document, ("sources",), entry.page.sources)

    # -- reporting lines ----------------------------------------------------------
    def manages(self) -> dict[str, list[str]]:
        """Whom each role manages: its own list plus every role reporting to it."""
        result = {role.id: list(role.manages) for role, _ in self.roles}
        for role, _ in self.roles:
            for boss in role.reports_to:
                if boss in result and role.id not in result[boss]:
                    result[boss].append(role.id)
        return result

    def check_cycles(self) -> None:
        # role -> its bosses, each with the line that says so (reports_to, or the boss's manages)
        bosses: dict[str, dict[str, tuple[Document, tuple]]] = {}
        for role, doc in self.roles:
            for i, boss in enumerate(role.reports_to):
                bosses.setdefault(role.id, {})[boss] = (doc, ("reports_to", i))
        for role, doc in self.roles:  # "A manages B" means B reports to A
            for i, other in enumerate(role.manages):
                bosses.setdefault(other, {}).setdefault(role.id, (doc, ("manages", i)))
        for cycle in _cycles({role_id: set(found) for role_id, found in bosses.items()}):
            if len(cycle) == 2:
                continue  # a role naming itself is reported where it does so
            doc, loc = bosses[cycle[0]][cycle[1]]
            self.problems.append(doc.problem(loc, (
                f"{_dot(loc)}: reporting lines form a cycle: " + " → ".join(cycle)
                + "; remove one of these links")))


def _suggest(value: str, known: set[str]) -> str:
    """' (known: a, b)' for a short list, else '; did you mean ...?' when one is close."""
    if not known:
        return " (none are defined)"
    if len(known) <= 8:
        return f" (known: {', '.join(sorted(known))})"
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per back edge of a depth-first walk (linear in the graph's size)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    found = []
    for start in sorted(edges):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(edges.get(start, ())))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                state[path.pop()] = 2
            elif state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return found
