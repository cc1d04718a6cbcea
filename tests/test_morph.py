"""The genitive heading and the dative «подчиняется …» of position titles (rolebook.morph)."""

from __future__ import annotations

import pytest

from rolebook.morph import Inflector

from test_pdf import HEADINGS  # the genitive headings of the bundled roles


@pytest.fixture(scope="module")
def inflector():
    return Inflector()


# The table of JOB-DESCRIPTION.md, then the bundled roles and a few harder titles.
GENITIVE = [
    ("Менеджер по работе с ключевыми клиентами", "менеджера по работе с ключевыми клиентами"),
    ("Руководитель отдела продаж", "руководителя отдела продаж"),
    ("Аккаунт-менеджер", "аккаунт-менеджера"),
    ("Директор по работе с клиентами", "директора по работе с клиентами"),
    ("Менеджер по работе с клиентами", "менеджера по работе с клиентами"),
    ("Менеджер по продажам", "менеджера по продажам"),
    ("Руководитель отдела по работе с клиентами", "руководителя отдела по работе с клиентами"),
    ("Старший менеджер по продажам", "старшего менеджера по продажам"),
    ("Заместитель генерального директора", "заместителя генерального директора"),
    ("Ведущий специалист отдела кадров", "ведущего специалиста отдела кадров"),
    ("Главная медицинская сестра", "главной медицинской сестры"),
    ("IT-директор", "IT-директора"),
    ("Менеджер по работе с ключевыми клиентами (KAM)",
     "менеджера по работе с ключевыми клиентами (KAM)"),
]


@pytest.mark.parametrize("title, expected", GENITIVE)
def test_genitive_declines_only_the_head_and_its_agreeing_words(inflector, title, expected):
    result = inflector.genitive(title)
    assert result.text == expected
    assert result.sure, result.doubt


@pytest.mark.parametrize("title, expected", [
    ("Руководитель отдела по работе с клиентами", "руководителю отдела по работе с клиентами"),
    ("Директор по работе с клиентами", "директору по работе с клиентами"),
    ("Руководитель отдела продаж", "руководителю отдела продаж"),
    ("Коммерческий директор", "коммерческому директору"),
])
def test_dative(inflector, title, expected):
    assert inflector.dative(title).text == expected


@pytest.mark.parametrize("title", ["Инженер-конструктор", "KAM", "Зюзякер отдела продаж"])
def test_a_doubtful_derivation_says_so(inflector, title):
    assert not inflector.genitive(title).sure


def test_every_bundled_role_gets_its_genitive_heading(catalog):
    assert {rid: entry.title_genitive for rid, entry in catalog.roles.items()} == HEADINGS
    assert not [w for w in catalog.warnings if "title:" in w.message]


def test_an_explicit_genitive_wins_and_a_doubtful_one_is_a_warning(handbook_copy):
    import rolebook

    path = handbook_copy / "content" / "roles" / "sales-manager.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("title_genitive:")]
    lines = [("title: Шеф-повар" if line.startswith("title:") else line) for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    catalog = rolebook.check(handbook_copy)
    assert catalog.roles["sales-manager"].title_genitive == "шефа-повара"
    [warning] = [w for w in catalog.warnings if w.file.endswith("sales-manager.yaml")]
    assert warning.line == next(i for i, line in enumerate(lines, 1) if line.startswith("title:"))
    assert "title_genitive" in warning.message

    path.write_text("\n".join(lines + ["title_genitive: шеф-повара"]) + "\n", encoding="utf-8")
    catalog = rolebook.check(handbook_copy)
    assert catalog.roles["sales-manager"].title_genitive == "шеф-повара"
    assert not [w for w in catalog.warnings if w.file.endswith("sales-manager.yaml")]


@pytest.mark.parametrize("title", ["Л0М", "Круглая сирота", "Х"])
def test_odd_titles_do_not_break_the_inflector(inflector, title):
    """Found by the property tests: a common-gender or unknown word must not raise."""
    assert inflector.genitive(title).text
