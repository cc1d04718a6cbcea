"""The synthetic handbook as plain data: a role count and a seed in, dicts out.

``Handbook.make(n, seed)`` builds everything the three sites are written
from: the handbook config, the regions, ``n`` roles and the articles. Each
role is as rich as a real one of the bundled handbook (about 15 duties, 10
rights, 10 responsibilities, 5 KPIs with formulas, four levels, salary bands
for 12 regions x 2 segments x 4 grades plus a median per region and
segment, a few paragraphs of Markdown, career paths and a comparison).

Reporting lines form a tree: role ``i < 20`` heads department ``i`` and the
heads report to role 0; every other role reports to an earlier role of its
own department, so there are no cycles. The tree comes from one random
stream, each role's text from its own (``seed:role:i``), so a role's text
does not depend on how the roles before it were drawn.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import textgen as tg
from yamlout import Flow

REGIONS = [  # id, name, locative, pay relative to Moscow
    ("moscow", "Москва", "в Москве", 1.0),
    ("saint-petersburg", "Санкт-Петербург", "в Санкт-Петербурге", 0.86),
    ("volgograd", "Волгоград", "в Волгограде", 0.55),
    ("yekaterinburg", "Екатеринбург", "в Екатеринбурге", 0.70),
    ("kazan", "Казань", "в Казани", 0.60),
    ("nizhny-novgorod", "Нижний Новгород", "в Нижнем Новгороде", 0.63),
    ("novosibirsk", "Новосибирск", "в Новосибирске", 0.68),
    ("omsk", "Омск", "в Омске", 0.61),
    ("rostov-on-don", "Ростов-на-Дону", "в Ростове-на-Дону", 0.57),
    ("samara", "Самара", "в Самаре", 0.62),
    ("ufa", "Уфа", "в Уфе", 0.58),
    ("chelyabinsk", "Челябинск", "в Челябинске", 0.60),
]
SEGMENTS = [("agencies", "Агентства", 1.05), ("companies", "Компании", 1.0)]
GRADES = [("I", 0.62, 0.80), ("II", 0.80, 1.0), ("III", 1.0, 1.35), ("IV", 1.35, 1.9)]
SOURCES = [("synthetic-001.txt", "Синтетический источник: должности и обязанности"),
           ("synthetic-002.txt", "Синтетический источник: зарплаты по регионам"),
           ("synthetic-003.txt", "Синтетический источник: карьерные пути")]
ARTICLES = 20
DATE = dt.date(2025, 9, 1)


@dataclass
class Handbook:
    n: int
    seed: str
    handbook: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    roles: list[dict] = field(default_factory=list)
    pages: list[tuple[dict, str]] = field(default_factory=list)  # (front matter, Markdown body)
    changed_role: str = ""  # the role the "one role changed" runs edit

    @classmethod
    def make(cls, n: int, seed: str = "rolebook-bench") -> "Handbook":
        if n < len(tg.DEPARTMENTS):
            raise ValueError(f"at least {len(tg.DEPARTMENTS)} roles (one per department)")
        book = cls(n, seed)
        tree = Tree.draw(n, random.Random(f"{seed}:tree"))
        book.roles = [make_role(i, tree, random.Random(f"{seed}:role:{i}")) for i in range(n)]
        book.handbook = make_handbook(tree)
        book.regions = make_regions()
        book.pages = [make_page(k, tree, random.Random(f"{seed}:page:{k}")) for k in range(ARTICLES)]
        leaves = [i for i in range(n // 2, n) if not tree.children[i]]
        book.changed_role = tree.ids[leaves[0] if leaves else n - 1]
        return book

    def role(self, role_id: str) -> dict:
        return next(r for r in self.roles if r["id"] == role_id)


@dataclass
class Tree:
    """Who is who: department, parent, children, title and id of every role."""

    department: list[int]
    parent: list[int | None]
    children: list[list[int]]
    ids: list[str]
    titles: list[str]
    kinds: list[str]

    @classmethod
    def draw(cls, n: int, rng: random.Random) -> "Tree":
        d_count = len(tg.DEPARTMENTS)
        department = [i % d_count for i in range(n)]
        parent: list[int | None] = [None] + [0] * (d_count - 1)
        for i in range(d_count, n):
            earlier = i // d_count  # roles of this department before i: d, d+20, ...
            parent.append(department[i] + d_count * int(earlier * rng.random() ** 2))
        children: list[list[int]] = [[] for _ in range(n)]
        for i, p in enumerate(parent):
            if p is not None:
                children[p].append(i)
        ids, titles, kinds = [], [], []
        for i in range(n):
            dep_id, _, area, _ = tg.DEPARTMENTS[department[i]]
            if i < d_count:
                kind, title = "director", f"Директор {area}"
            elif children[i]:
                kind, title = "head", f"Руководитель группы {area}"
            else:
                kind, noun = tg.SPECIALISTS[rng.randrange(len(tg.SPECIALISTS))]
                title = f"{rng.choice(tg.ADJECTIVES)}{noun} {area}".capitalize()
            ids.append(f"{dep_id}-{kind}-{i:05d}")
            titles.append(f"{title} (участок {i})" if i >= d_count else title)
            kinds.append(kind)
        return cls(department, parent, children, ids, titles, kinds)


def make_handbook(tree: Tree) -> dict:
    return {
        "title": "Синтетический справочник должностей",
        "description": "Сгенерированный справочник для замеров производительности rolebook.",
        "organisation": {"name": "Общество с ограниченной ответственностью «Пример»",
                         "short_name": "ООО «Пример»", "city": "г. Москва", "example": True},
        "document": {
            "profile": "gost-2025", "date": DATE, "number_prefix": "ДИ",
            "approval": {"by": "official", "position": "Генеральный директор ООО «Пример»",
                         "name": "И.И. Иванов"},
            "developer": {"position": "Директор по персоналу", "name": "А.А. Смирнова"},
            "agreed": [{"position": "Начальник отдела кадров", "name": "Е.В. Кузнецова"}],
            "appointment": "назначается на должность и освобождается от должности приказом "
                           "генерального директора",
            "guided_by": ["законодательством Российской Федерации", "уставом организации",
                          "правилами внутреннего трудового распорядка",
                          "настоящей должностной инструкцией"],
            "kpi_section": True, "pay_section": True, "pay_amounts": False,
            "acknowledgment_rows": 12,
        },
        "departments": [{"id": dep_id, "title": title, "head": tree.ids[d]}
                        for d, (dep_id, title, _, _) in enumerate(tg.DEPARTMENTS)],
        "sources": [{"id": sid, "title": title, "published": DATE} for sid, title in SOURCES],
    }


def make_regions() -> dict:
    return {"regions": [Flow(id=rid, name=name, name_locative=loc) for rid, name, loc, _ in REGIONS],
            "segments": [Flow(id=sid, name=name) for sid, name, _ in SEGMENTS]}


def make_role(i: int, tree: Tree, rng: random.Random) -> dict:
    """Role ``i`` as the dict its YAML file holds."""
    dep_id, dep_title, area, code = tg.DEPARTMENTS[tree.department[i]]
    title, head = tree.titles[i], tree.kinds[i] in ("director", "head")
    role = {
        "id": tree.ids[i], "title": title, "code": f"{code}{i}",
        "category": "head" if head else "specialist", "department": dep_id,
        "sources": [SOURCES[0][0], SOURCES[2][0]] if i % 3 else [SOURCES[0][0]],
        "summary": tg.markdown_summary(rng, title, area, dep_title),
        "clients": f"от {rng.randrange(10, 60)} до {rng.randrange(60, 150)} клиентов" if not head else None,
        "reports_to": [tree.ids[tree.parent[i]]] if tree.parent[i] is not None else [],
        "reports_to_other": "генеральному директору" if tree.parent[i] is None else None,
        "manages_other": ["стажёры"] if head and rng.random() < 0.3 else None,
        "substitute": "лицо, назначенное приказом руководителя",
        "guided_by": ["трудовым договором", "регламентом отдела"],
        "requirements": {
            "education": tg.pick(rng, tg.EDUCATION, 2),
            "experience": [f"опыт работы {area} {tg.years(rng.randrange(1, 4))}",
                           "опыт ведения переговоров с клиентами"],
            "knowledge": tg.pick(rng, tg.KNOWLEDGE, 5),
            "skills": tg.pick(rng, tg.SKILLS, 6),
            "qualities": tg.pick(rng, tg.QUALITIES, 5),
        },
        "levels": [make_level(k, grade, rng) for k, (grade, _, _) in enumerate(GRADES)],
        "functions": tg.pick(rng, tg.FUNCTIONS, 6),
        "duties": tg.duties(rng, 15),
        "rights": tg.rights(rng, 10),
        "responsibilities": tg.responsibilities(rng, 10),
        "relationships": [f"Взаимодействует с подразделением «{d[1]}»: {rng.choice(tg.TOPICS)}"
                          for d in tg.pick(rng, tg.DEPARTMENTS, 5)],
        "kpis": [make_kpi(kpi, rng) for kpi in tg.pick(rng, tg.KPI_NAMES, 5)],
        "pay": make_pay(rng),
        "salary": make_salary(head, rng),
        "career": make_career(i, tree, rng),
        "comparisons": make_comparisons(i, tree, rng),
        "revisions": [{"number": 1, "basis": f"приказ от 01.09.2025 № {i + 1}-к", "date": DATE}],
    }
    return role


def make_level(k: int, grade: str, rng: random.Random) -> dict:
    years = [0, 1, 3, 5][k]
    return {"id": grade, "title": f"Уровень {grade}",
            "experience": "без опыта" if years == 0 else tg.years(years),
            "experience_years": years, "salary_grade": grade,
            "description": tg.wrap(" ".join(tg.pick(rng, tg.SENTENCES[5:], 2))) + "\n"}


def make_kpi(kpi: tuple, rng: random.Random) -> dict:
    kid, name, top, top_meaning, bottom, bottom_meaning, better = kpi
    return {"id": kid, "name": name, "formula": f"({top} / {bottom}) × 100 %",
            "variables": [Flow(symbol=top, meaning=top_meaning),
                          Flow(symbol=bottom, meaning=bottom_meaning)],
            "unit": "%", "better": better,
            "description": f"Считается {rng.choice(['ежемесячно', 'ежеквартально', 'раз в полгода'])} "
                           f"по данным CRM-системы.\n"}


def make_pay(rng: random.Random) -> dict:
    fixed, soft, bonus = rng.choice([(40, 20, 40), (50, 20, 30), (60, 10, 30), (70, 0, 30),
                                     (45, 25, 30)])
    return {
        "shares": Flow(fixed=fixed, soft=soft, bonus=bonus),
        "conditions": ["Оклад выплачивается дважды в месяц",
                       "Мягкий оклад зависит от выполнения KPI на 100 %",
                       f"Бонус начисляется {rng.choice(['ежемесячно', 'ежеквартально'])} "
                       "по итогам выполнения плана"],
        "bonus_scales": [{"title": "Бонус в зависимости от выполнения плана",
                          "base": "выручка группы",
                          "steps": [Flow(plan_to=80, reward="не начисляется"),
                                    Flow(plan_from=80, plan_to=100, reward="коэффициент 1"),
                                    Flow(plan_from=100, plan_to=120, reward="коэффициент 1,5"),
                                    Flow(plan_from=120, reward="коэффициент 2")]}],
        "notes": "Доли оклада и бонуса указаны от общего дохода сотрудника.\n",
    }


def make_salary(head: bool, rng: random.Random) -> dict:
    base = rng.randrange(90, 200) * 1000 if head else rng.randrange(40, 120) * 1000
    bands = []
    for rid, _, _, factor in REGIONS:
        for sid, _, seg_factor in SEGMENTS:
            money = base * factor * seg_factor
            for grade, low, high in GRADES:
                bands.append(Flow(region=rid, segment=sid, grade=grade,
                                  min=_round(money * low), max=_round(money * high)))
            bands.append(Flow(region=rid, segment=sid, median=_round(money * 1.02)))
    return {"source": SOURCES[1][0], "as_of": DATE,
            "grades": [Flow(id=g, title=f"Диапазон {g}", requirement=f"опыт {tg.years(k)}" if k else "без опыта")
                       for k, (g, _, _) in enumerate(GRADES)],
            "bands": bands,
            "notes": "Медиана — средняя заработная плата в регионе и сегменте.\n"}


def _round(amount: float) -> int:
    return int(round(amount / 1000)) * 1000


def make_career(i: int, tree: Tree, rng: random.Random) -> dict:
    paths_in = [{"title": "Стажёр", "note": "после стажировки от трёх месяцев"}]
    if tree.children[i]:
        paths_in.insert(0, {"role": tree.ids[rng.choice(tree.children[i])],
                            "note": "повышение внутри группы"})
    paths_out = [{"title": "Руководитель направления в другой компании"}]
    if tree.parent[i] is not None:
        paths_out.insert(0, {"role": tree.ids[tree.parent[i]], "note": "повышение"})
    return {"paths_in": paths_in, "paths_out": paths_out}


def make_comparisons(i: int, tree: Tree, rng: random.Random) -> list[dict]:
    p = tree.parent[i]
    siblings = [c for c in tree.children[p] if c != i] if p is not None else []
    if not siblings:
        return []
    other = rng.choice(siblings)
    return [{"role": tree.ids[other],
             "summary": "Обе должности работают с клиентами, но отвечают за разные участки.\n",
             "aspects": [Flow(aspect="Клиенты", this="свой участок", other="соседний участок"),
                         Flow(aspect="Подчинение", this="руководитель группы",
                              other="руководитель группы"),
                         Flow(aspect="KPI", this="выручка участка", other="выручка участка")]}]


def make_page(k: int, tree: Tree, rng: random.Random) -> tuple[dict, str]:
    front = {"title": f"Статья {k + 1}: как устроена работа подразделения",
             "summary": "Обзор обязанностей, показателей и карьерных путей.",
             "order": k + 1, "sources": [SOURCES[0][0]],
             "roles": [tree.ids[r] for r in sorted(rng.sample(range(len(tree.ids)), 3))]}
    names = {"title": "Сотрудник", "area": "продажи", "department": "Отдел продаж"}
    body = "\n\n".join([tg.paragraph(rng, 4, **names), "## Задачи",
                        "\n".join(f"- {tg.duty(rng).lower()};" for _ in range(5)),
                        tg.paragraph(rng, 3, **names), "## Показатели", tg.paragraph(rng, 4, **names)])
    return front, body + "\n"
