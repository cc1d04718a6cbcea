"""The wording of the job description (rolebook.render.jobdesc), without rendering a PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from rolebook.model import ApprovalByOrder, Revision
from rolebook.render.jobdesc import document_number, formula, initials, job_description

NBSP = "\u00a0"


def with_role(catalog, role_id, **changes):
    """A shallow copy of the catalog in which one role has other values."""
    entry = catalog.roles[role_id]
    role = entry.role.model_copy(update=changes)
    roles = dict(catalog.roles, **{role_id: dataclasses.replace(entry, role=role)})
    return dataclasses.replace(catalog, roles=roles)


def with_document(catalog, **changes):
    document = catalog.handbook.document.model_copy(update=changes)
    handbook = catalog.handbook.model_copy(update={"document": document})
    return dataclasses.replace(catalog, handbook=handbook)


def texts(doc):
    """Every clause as «number text», depth first."""
    def walk(clauses):
        for clause in clauses:
            yield f"{clause.number} {clause.text}".strip()
            yield from walk(clause.children)
    return {s.title: list(walk(s.clauses)) for s in doc.sections}


def test_requisites(catalog):
    doc = job_description(catalog, "key-account-manager")
    assert doc.heading == "менеджера по работе с ключевыми клиентами"
    assert doc.number == "ДИ-КАМ-01"
    assert doc.date == "01.09.2025"
    assert doc.place == "г. Москва"
    assert doc.meta_title == "Должностная инструкция менеджера по работе с ключевыми клиентами"
    assert doc.approval.word == "УТВЕРЖДАЮ"
    assert doc.approval.signature.name == f"И.И.{NBSP}Иванов"
    assert doc.url == "https://handbook.example.ru/roles/key-account-manager/"
    assert doc.example  # the bundled organisation is made up


def test_sections_are_numbered_and_reporting_lines_use_the_dative(catalog):
    doc = job_description(catalog, "key-account-manager")
    assert [f"{s.number}. {s.title}" for s in doc.sections][:6] == [
        "1. Общие положения", "2. Функции", "3. Должностные обязанности", "4. Права",
        "5. Ответственность", "6. Взаимоотношения (связи по должности)"]
    general = texts(doc)["Общие положения"]
    assert general[0].startswith("1.1. Настоящая должностная инструкция")
    assert ("1.4. Работник подчиняется непосредственно руководителю отдела по работе "
            "с клиентами.") in general
    duties = texts(doc)["Должностные обязанности"]
    assert duties[0] == "Работник выполняет следующие должностные обязанности:"
    assert duties[1].startswith("3.1. ") and duties[1].endswith(".")
    assert any(c.children and c.children[0].number.count(".") == 3 for c in doc.sections[0].clauses)


def test_an_empty_list_says_so_and_invents_nothing(catalog):
    changed = with_role(catalog, "sales-manager", rights=[], duties=[], responsibilities=[])
    sections = texts(job_description(changed, "sales-manager"))
    assert sections["Должностные обязанности"] == [
        "3.1. Должностные обязанности в справочнике должностей не определены (нет данных)."]
    [rights] = sections["Права"]
    assert "(нет данных)" in rights and "трудовым законодательством" in rights
    [responsibility] = sections["Ответственность"]
    assert "(нет данных)" in responsibility


def test_edition_and_revision_sheet_come_from_the_revisions(catalog):
    revision = Revision(number=1, basis="Приказ от 01.02.2026 № 7-к", date=dt.date(2026, 2, 1))
    doc = job_description(with_role(catalog, "sales-manager", revisions=[revision]),
                          "sales-manager")
    assert doc.number == "ДИ-МП-02"
    assert doc.modified == "2026-02-01"
    assert [(r.number, r.basis, r.date) for r in doc.revisions] == [
        ("1", "Приказ от 01.02.2026 № 7-к", "01.02.2026")]


def test_approval_by_an_order(catalog):
    order = ApprovalByOrder(by="order", order_number="45-к", order_date=dt.date(2025, 6, 5))
    doc = job_description(with_document(catalog, approval=order), "head-of-sales")
    assert doc.approval.word == "УТВЕРЖДЕНА"
    assert doc.approval.lines == ("приказом ООО «Пример»",)
    assert doc.approval.date == f"от 05.06.2025 №{NBSP}45-к"


def test_acknowledgment_rows_blank_or_prefilled(catalog):
    assert job_description(catalog, "head-of-sales").acknowledgment == ("",) * 12
    rows = job_description(catalog, "head-of-sales", ["Петров Пётр Петрович"]).acknowledgment
    assert rows[0] == "Петров Пётр Петрович" and len(rows) == 12 and set(rows[1:]) == {""}


def test_kpi_and_pay_sections_follow_the_handbook_switches(catalog):
    role = "key-account-manager"
    titles = [s.title for s in job_description(catalog, role).sections]
    assert titles[6:] == ["Критерии оценки работы (KPI)", "Условия оплаты труда"]
    off = with_document(catalog, kpi_section=False, pay_section=False)
    assert len(job_description(off, role).sections) == 6


def test_kpi_formulas_and_descriptions_get_subscripts(catalog):
    [section] = [s for s in job_description(catalog, "client-manager").sections
                 if s.title == "Критерии оценки работы (KPI)"]
    formulas = [str(c.formula).replace(NBSP, " ") for c in section.clauses if c.formula]
    assert "(N<sub>воз</sub> / N<sub>обр</sub>) × 100 %" in formulas
    assert not any("_{" in str(c.text) + str(c.note or "") for c in section.clauses)
    assert formula("<b>x</b>_{<i>}") == "&lt;b&gt;x&lt;/b&gt;<sub>&lt;i&gt;</sub>"


@pytest.mark.parametrize("name, expected", [
    ("И.И. Иванов", f"И.И.{NBSP}Иванов"), ("А. А. Смирнова", f"А.{NBSP}А.{NBSP}Смирнова")])
def test_initials_never_break(name, expected):
    assert initials(name) == expected


def test_document_number():
    assert document_number("ДИ", "КО", 3) == "ДИ-КО-03"


def test_subordinates_substitute_and_own_appointment(catalog):
    changed = with_role(catalog, "head-of-client-service",
                        substitute="обязанности исполняет лицо, назначенное приказом",
                        appointment="Назначается на должность приказом директора по работе с клиентами")
    general = texts(job_description(changed, "head-of-client-service"))["Общие положения"]
    [subordinates] = [c for c in general if "В подчинении работника" in c]
    assert "работники в должностях «" in subordinates and "«Аккаунт-менеджер»" in subordinates
    assert any(c.endswith("Порядок замещения на время отсутствия работника: обязанности "
                          "исполняет лицо, назначенное приказом.") for c in general)
    assert "1.3. Назначается на должность приказом директора по работе с клиентами." in general


def test_the_developer_defaults_to_the_head_of_the_department(catalog):
    doc = job_description(with_document(catalog, developer=None), "sales-manager")
    assert (doc.developer.position, doc.developer.name) == ("Руководитель отдела продаж", "")
    doc = job_description(with_document(catalog, developer=None), "head-of-sales")
    assert doc.developer.position == "Руководитель подразделения «Отдел продаж»"
