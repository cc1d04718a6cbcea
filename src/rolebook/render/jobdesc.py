"""The official job description (должностная инструкция) of one role, as plain data.

A role of the ``Catalog`` in; a ``JobDescription`` out: the requisites of the
first page (organisation, document kind, date and number, place, the heading
in the genitive, the approval stamp), the numbered sections and clauses
(1., 1.1., 1.1.1.) built from the role's data, the signatures and the annexes.
The PDF template only lays this out; the wording lives here so that it can be
tested without rendering a PDF.

The texts follow the usual form of Russian job descriptions: third person,
present tense, each numbered clause a sentence. A list the content does not
fill is never filled in here: the clause says «нет данных», and where the law
itself answers the question (rights, responsibility) it says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from markupsafe import Markup, escape

from .format import NBSP, formula, number, subscripts

if TYPE_CHECKING:
    from ..model import KPI, Handbook, PayStructure, Role
    from ..resolve import Catalog, RoleEntry

MISSING = "нет данных"
CATEGORY = {"head": "руководителей", "specialist": "специалистов"}
PROFILES = ("gost-2025", "gost-2016")


@dataclass(frozen=True)
class Clause:
    """A numbered clause (``number`` "1.2."), or a lead-in paragraph when ``number`` is ""."""

    number: str
    text: Markup
    children: tuple["Clause", ...] = ()
    formula: Markup | None = None           # a KPI formula, set on its own line
    where: tuple[Markup, ...] = ()          # «где N_{воз} — …» lines of a formula
    table: "Table | None" = None
    note: Markup | None = None              # paragraphs after the clause (Markdown)
    missing: bool = False                   # the clause says «нет данных»


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    number: str       # "1"
    title: str        # "Общие положения"
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Signature:
    position: str
    name: str         # «И. О. Фамилия» with no-break spaces; "" for a blank line


@dataclass(frozen=True)
class Approval:
    """The approval stamp: «УТВЕРЖДАЮ» by an official or «УТВЕРЖДЕНА» by an order."""

    word: str                          # УТВЕРЖДАЮ / УТВЕРЖДЕНА
    lines: tuple[str, ...]             # position and organisation / «приказом ООО …»
    signature: Signature | None = None
    date: str = ""


@dataclass(frozen=True)
class Revision:
    number: str
    basis: str
    date: str


@dataclass(frozen=True)
class JobDescription:
    """Everything the PDF template shows for one role."""

    role_id: str
    profile: str
    title: str                    # Менеджер по продажам
    heading: str                  # менеджера по продажам
    organisation: str
    example: bool                 # the organisation is made up: the PDF says «Образец»
    date: str                     # 01.09.2025
    iso_date: str                 # 2025-09-01 (PDF metadata)
    modified: str                 # the latest revision's date, or the document's
    number: str                   # ДИ-МП-01
    place: str
    approval: Approval
    sections: tuple[Section, ...]
    developer: Signature
    agreed: tuple[Signature, ...]
    acknowledgment: tuple[str, ...]   # names for the acquaintance sheet; "" for a blank row
    revisions: tuple[Revision, ...]
    url: str | None               # the role's page in the handbook (the QR code)
    meta_title: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "meta_title", f"Должностная инструкция {self.heading}")


def job_description(catalog: "Catalog", role_id: str,
                    employees: Iterable[str] = ()) -> JobDescription:
    """The job description of ``role_id``; ``employees`` pre-fill the acquaintance sheet."""
    entry = catalog.roles[role_id]
    role, handbook = entry.role, catalog.handbook
    settings, organisation = handbook.document, handbook.organisation
    dates = [settings.date] + [r.date for r in role.revisions]
    return JobDescription(
        role_id=role.id,
        profile=settings.profile,
        title=role.title,
        heading=entry.title_genitive or role.title,
        organisation=organisation.name,
        example=organisation.example,
        date=numeric_date(settings.date),
        iso_date=settings.date.isoformat(),
        modified=max(dates).isoformat(),
        number=document_number(settings.number_prefix, role.code, len(role.revisions) + 1),
        place=organisation.city,
        approval=approval(handbook),
        sections=tuple(sections(catalog, entry)),
        developer=developer(catalog, entry),
        agreed=tuple(Signature(s.position, initials(s.name)) for s in settings.agreed),
        acknowledgment=acknowledgment_rows(list(employees), settings.acknowledgment_rows),
        revisions=tuple(Revision(str(r.number), r.basis, numeric_date(r.date))
                        for r in sorted(role.revisions, key=lambda r: r.number)),
        url=role_url(handbook.base_url, role.id),
    )


# -- requisites -------------------------------------------------------------------

def document_number(prefix: str, code: str, edition: int) -> str:
    """ДИ, КАМ, 1 -> «ДИ-КАМ-01» (the edition counts the role's revisions)."""
    return f"{prefix}-{code}-{edition:02d}"


def numeric_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def initials(name: str) -> str:
    """«И.И. Иванов» -> «И.И.\u00a0Иванов»: initials before the surname, never split."""
    return re.sub(r"(?<=\.)\s+(?=\S)", NBSP, name.strip())


def role_url(base_url: str | None, role_id: str) -> str | None:
    if not base_url:
        return None
    return base_url.rstrip("/") + f"/roles/{role_id}/"


def approval(handbook: "Handbook") -> Approval:
    settings = handbook.document
    stamp = settings.approval
    organisation = handbook.organisation.short_name or handbook.organisation.name
    if stamp.by == "official":
        return Approval("УТВЕРЖДАЮ", (stamp.position,), Signature("", initials(stamp.name)),
                        numeric_date(settings.date))
    return Approval("УТВЕРЖДЕНА", (f"приказом {organisation}",),
                    date=f"от {numeric_date(stamp.order_date)} №{NBSP}{stamp.order_number}")


def developer(catalog: "Catalog", entry: "RoleEntry") -> Signature:
    """The developer: from the handbook, or the head of the role's department (name blank)."""
    signatory = catalog.handbook.document.developer
    if signatory is not None:
        return Signature(signatory.position, initials(signatory.name))
    department = catalog.departments[entry.role.department]
    if department.head and department.head != entry.id and department.head in catalog.roles:
        return Signature(catalog.role(department.head).title, "")
    return Signature(f"Руководитель подразделения «{department.title}»", "")


def acknowledgment_rows(names: list[str], blank: int) -> tuple[str, ...]:
    """The employees' names, then blank rows: at least ``blank`` rows in all, and
    always a few blank ones after the names for people who join later."""
    extra = max(blank - len(names), 3 if names else 0)
    return tuple(names) + ("",) * extra


# -- sections ---------------------------------------------------------------------

def sections(catalog: "Catalog", entry: "RoleEntry") -> list[Section]:
    """Sections 1-6, then the optional KPI and pay sections the handbook switches on."""
    role, settings = entry.role, catalog.handbook.document
    built = [
        ("Общие положения", general(catalog, entry)),
        ("Функции", listed(role.functions, "Основными функциями работника являются:",
                           "Функции работника в справочнике должностей не определены")),
        ("Должностные обязанности", listed(
            role.duties, "Работник выполняет следующие должностные обязанности:",
            "Должностные обязанности в справочнике должностей не определены")),
        ("Права", listed(role.rights, "Работник имеет право:",
                         "Права работника в справочнике должностей не определены",
                         "Работник пользуется правами, предусмотренными трудовым договором "
                         "и трудовым законодательством Российской Федерации.")),
        ("Ответственность", listed(
            role.responsibilities, "Работник несёт ответственность за:",
            "Перечень оснований ответственности в справочнике должностей не определён",
            "Работник несёт ответственность в пределах, установленных трудовым, "
            "административным, уголовным и гражданским законодательством Российской Федерации.")),
        ("Взаимоотношения (связи по должности)", listed(
            role.relationships, None,
            "Взаимоотношения по должности в справочнике должностей не определены")),
    ]
    if settings.kpi_section and role.kpis:
        built.append(("Критерии оценки работы (KPI)", kpi_clauses(role.kpis)))
    if settings.pay_section and role.pay is not None:
        built.append(("Условия оплаты труда", pay_clauses(role, settings.pay_amounts, catalog)))
    return [Section(str(i), title, tuple(number_clauses(raw, str(i))))
            for i, (title, raw) in enumerate(built, 1)]


@dataclass
class _Raw:
    """A clause before numbering: ``lead`` clauses stay unnumbered."""

    text: Markup
    children: list["_Raw"] = field(default_factory=list)
    lead: bool = False
    formula: Markup | None = None
    where: tuple[Markup, ...] = ()
    table: Table | None = None
    note: Markup | None = None
    missing: bool = False


def number_clauses(raw: list[_Raw], prefix: str) -> Iterable[Clause]:
    """Number clauses «1.1.», «1.1.1.» in order; lead-ins keep no number."""
    counter = 0
    for item in raw:
        if item.lead:
            yield Clause("", item.text)
            continue
        counter += 1
        number = f"{prefix}.{counter}"
        yield Clause(number + ".", item.text, tuple(number_clauses(item.children, number)),
                     item.formula, item.where, item.table, item.note, item.missing)


def general(catalog: "Catalog", entry: "RoleEntry") -> list[_Raw]:
    """Section 1: purpose, category, appointment, reporting, requirements, knowledge, rules."""
    role, handbook = entry.role, catalog.handbook
    organisation = handbook.organisation.short_name or handbook.organisation.name
    clauses = [
        _Raw(_text(f"Настоящая должностная инструкция определяет функции, должностные "
                   f"обязанности, права и ответственность {entry.title_genitive or role.title} "
                   f"{organisation} (далее — работник).")),
        _Raw(_text(f"{role.title} относится к категории {CATEGORY[role.category]}.")),
        _Raw(_text(_appointment(role.title, role.appointment or handbook.document.appointment))),
    ]
    bosses = [catalog.roles[b].title_dative or catalog.role(b).title for b in entry.reports_to]
    bosses += [role.reports_to_other] if role.reports_to_other else []
    if bosses:
        clauses.append(_Raw(_text(f"Работник подчиняется непосредственно {_join(bosses)}.")))
    if subordinates := _subordinates(catalog, entry):
        clauses.append(_Raw(_text(f"В подчинении работника находятся {subordinates}.")))
    if role.substitute:
        clauses.append(_Raw(_text(f"Порядок замещения на время отсутствия работника: "
                                  f"{_sentence_end(role.substitute)}")))
    clauses.append(requirements(role))
    clauses.append(_sublist("Работник должен знать:", role.requirements.knowledge,
                            "Перечень необходимых знаний в справочнике должностей не определён"))
    rules = _guided_by(handbook.document.guided_by, role.guided_by)
    clauses.append(_sublist("В своей деятельности работник руководствуется:", rules,
                            "Перечень документов в справочнике должностей не определён"))
    return clauses


def _appointment(title: str, appointment: str) -> str:
    text = appointment.strip()
    return _sentence_end(text if text[:1].isupper() else f"{title} {text}")


def _subordinates(catalog: "Catalog", entry: "RoleEntry") -> str:
    titles = [f"«{catalog.role(r).title}»" for r in entry.manages]
    others = [_lower_first(t) for t in entry.role.manages_other]
    parts = []
    if titles:
        word = "должности" if len(titles) == 1 else "должностях"
        parts.append(f"работники в {word} {_join(titles)}")
    if others:
        parts.append(", ".join(others))
    return ", а также ".join(parts)


def _guided_by(common: list[str], own: list[str]) -> list[str]:
    """The handbook's list with the role's additions; «настоящей … инструкцией» stays last."""
    items = list(dict.fromkeys(common + own))
    return sorted(items, key=lambda item: "настоящ" in item.lower())


def requirements(role: "Role") -> _Raw:
    req = role.requirements
    groups = [("Образование", req.education), ("Опыт работы", req.experience),
              ("Навыки", req.skills), ("Личные качества", req.qualities)]
    children = [_Raw(_text(f"{label}: {'; '.join(items)}.")) for label, items in groups if items]
    if not children:
        return _Raw(_text(f"Требования к квалификации в справочнике должностей не определены "
                          f"({MISSING})."), missing=True)
    return _Raw(_text("Требования к квалификации работника:"), children)


def listed(items: list[str], lead: str | None, missing: str, law: str = "") -> list[_Raw]:
    """One clause per item after a lead-in; or the «нет данных» clause (and what the law says)."""
    if not items:
        text = f"{missing} ({MISSING})." + (f" {law}" if law else "")
        return [_Raw(_text(text), missing=True)]
    clauses = [_Raw(_text(lead), lead=True)] if lead else []
    return clauses + [_Raw(_text(_sentence_end(_upper_first(item)))) for item in items]


def _sublist(lead: str, items: list[str], missing: str) -> _Raw:
    if not items:
        return _Raw(_text(f"{missing} ({MISSING})."), missing=True)
    return _Raw(_text(lead), [_Raw(_text(_sentence_end(_upper_first(i)))) for i in items])


# -- KPI and pay --------------------------------------------------------------------

def kpi_clauses(kpis: list["KPI"]) -> list[_Raw]:
    clauses = [_Raw(_text("Результаты работы работника оцениваются по следующим показателям:"),
                    lead=True)]
    for kpi in kpis:
        text = _text(_sentence_end(kpi.name + (f", {kpi.unit}" if kpi.unit else "")))
        description, note = markdown_parts(kpi.description) if kpi.description else ("", None)
        if description:
            text += Markup(" ") + description
        better = {"higher": "Чем выше значение, тем лучше.",
                  "lower": "Чем ниже значение, тем лучше."}.get(kpi.better or "")
        if better:
            text += Markup(" ") + better
        where = tuple(formula(v.symbol) + Markup(f"{NBSP}— ") + escape(v.meaning)
                      for v in kpi.variables)
        clauses.append(_Raw(text, formula=formula(kpi.formula) if kpi.formula else None,
                            where=where, note=note))
    return clauses


def markdown_parts(text: str) -> tuple[Markup, Markup | None]:
    """Markdown as (first paragraph inline, the rest as blocks), so that a numbered
    clause starts on the line of its number."""
    from .markdown import markdown_html

    html = _typography(str(subscripts(markdown_html(text))).strip())
    if not html.startswith("<p>"):
        return Markup(""), Markup(html)
    first, _, rest = html[3:].partition("</p>")
    return Markup(first.strip()), (Markup(rest.strip()) if rest.strip() else None)


def pay_clauses(role: "Role", amounts: bool, catalog: "Catalog") -> list[_Raw]:
    pay: "PayStructure" = role.pay
    clauses = []
    if pay.shares is not None and (shares := _shares(pay.shares)):
        clauses.append(_Raw(_text(f"Заработная плата работника состоит из {shares}.")))
    clauses += [_Raw(_text(_sentence_end(_upper_first(c)))) for c in pay.conditions]
    for scale in pay.bonus_scales:
        label = scale.title or "Размер бонуса в зависимости от выполнения плана"
        base = f" (база расчёта — {scale.base})" if scale.base else ""
        rows = tuple((_plan(step.plan_from, step.plan_to), step.reward) for step in scale.steps)
        clauses.append(_Raw(_text(f"{label.rstrip('.:')}{base}:"),
                            table=Table(("Выполнение плана", "Бонус"), rows)))
    if pay.notes:
        first, rest = markdown_parts(pay.notes)
        clauses.append(_Raw(first, note=rest))
    if amounts and role.salary is not None and role.salary.bands:
        clauses.append(_Raw(_text("Размеры заработной платы (руб. в месяц):"),
                            table=salary_table(role, catalog)))
    if not clauses:
        clauses.append(_Raw(_text(f"Условия оплаты труда в справочнике должностей не определены "
                                  f"({MISSING})."), missing=True))
    return clauses


def _shares(shares) -> str:
    named = [("твёрдого оклада", shares.fixed), ("мягкого оклада", shares.soft),
             ("бонусной части", shares.bonus)]
    given = [f"{name} ({number(value)}{NBSP}%)" for name, value in named if value is not None]
    return _join(given)


def _plan(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"от {number(low)} до {number(high)}{NBSP}%"
    if low is not None:
        return f"от {number(low)}{NBSP}%"
    if high is not None:
        return f"до {number(high)}{NBSP}%"
    return MISSING


def salary_table(role: "Role", catalog: "Catalog") -> Table:
    rows = []
    for band in role.salary.bands:
        region = catalog.regions[band.region].name if band.region else "В целом по рынку"
        segment = catalog.segments[band.segment].name if band.segment else ""
        if band.kind == "range":  # the heading says «руб. в месяц»: no currency signs here
            figure = f"{number(band.min)} – {number(band.max)}"
        elif band.kind == "up_to":
            figure = f"до {number(band.max)}"
        else:
            figure = number(band.value if band.value is not None else band.median)
            figure += " (медиана)" if band.value is None else ""
        rows.append((region, segment, band.grade or "", figure))
    return Table(("Регион", "Сегмент", "Грейд", "Сумма"), tuple(rows))


# -- words ---------------------------------------------------------------------------

def _text(text: str) -> Markup:
    return escape(_typography(text))


def _typography(text: str) -> str:
    """A dash never starts a line: «далее — работник» keeps the dash after its word."""
    return text.replace(" — ", f"{NBSP}— ")


def _join(items: list[str]) -> str:
    """«a», «a и b», «a, b и c»."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " и " + items[-1]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text  # an abbreviation: РОП, KPI
    return text[:1].lower() + text[1:]


def _sentence_end(text: str) -> str:
    """End a clause with a full stop, replacing a «;» or «,» the author left."""
    text = text.rstrip().rstrip(";,")
    return text if text.endswith((".", "!", "?", "…")) else text + "."
