"""The synthetic handbook as an MkDocs site: ``content.Handbook`` in, an MkDocs project out.

MkDocs renders Markdown, so each role becomes a Markdown page that already
holds everything the rolebook and Hugo templates put on a role page: every
section, the reporting lines both ways, salary tables per segment (amounts
formatted here), career paths and comparisons. The home page lists the
roles by department; the salary comparison is one list per region, 200
roles a page, like Hugo's pagination. Only four pages are in the navigation
(a navigation of 10,000 roles would be copied into every page). The theme is
MkDocs' own ``mkdocs`` theme with a ``custom_dir`` override, ``main.html``,
which the "template changed" runs edit.
"""

from __future__ import annotations

from pathlib import Path

import content as c

PER_PAGE = 200
CONFIG = """\
site_name: {title}
use_directory_urls: true
theme:
  name: mkdocs
  custom_dir: overrides
  locale: ru
  navigation_depth: 2
nav:
  - Главная: index.md
  - Должности: roles/index.md
  - Зарплаты по регионам: salaries/index.md
  - Статьи: articles/index.md
plugins:
  - search:
      lang: ru
validation:
  nav:
    omitted_files: ignore
"""
OVERRIDE = '{% extends "base.html" %}\n{# rolebook benchmark: template edit 0 #}\n'


def write(book: c.Handbook, root: Path) -> None:
    """Write the MkDocs project for ``book`` into ``root``."""
    docs = root / "docs"
    titles = {r["id"]: r["title"] for r in book.roles}
    manages: dict[str, list[str]] = {r["id"]: [] for r in book.roles}
    for role in book.roles:
        for boss in role["reports_to"]:
            manages[boss].append(role["id"])
    _text(root / "mkdocs.yml", CONFIG.format(title=book.handbook["title"]))
    _text(root / "overrides" / "main.html", OVERRIDE)
    _text(docs / "index.md", home(book, titles))
    _text(docs / "roles" / "index.md", role_list(book))
    for role in book.roles:
        _text(docs / "roles" / f"{role['id']}.md", role_page(book, role, titles, manages[role["id"]]))
    _text(docs / "articles" / "index.md", "# Статьи\n\n" + "".join(
        f"- [{front['title']}](article-{k + 1:02d}.md) — {front['summary']}\n"
        for k, (front, _) in enumerate(book.pages)))
    for k, (front, body) in enumerate(book.pages):
        related = "".join(f"- [{titles[r]}](../roles/{r}.md)\n" for r in front["roles"])
        _text(docs / "articles" / f"article-{k + 1:02d}.md",
              f"# {front['title']}\n\n{body}\n## Должности\n\n{related}")
    write_salaries(book, docs / "salaries")


def home(book: c.Handbook, titles: dict[str, str]) -> str:
    out = [f"# {book.handbook['title']}\n\n{book.handbook['description']}\n\n"
           f"{len(book.roles)} должностей в {len(book.handbook['departments'])} подразделениях.\n"]
    for dep in book.handbook["departments"]:
        out.append(f"\n## {dep['title']}\n\nРуководитель: [{titles[dep['head']]}](roles/{dep['head']}.md)\n\n")
        roles = sorted((r for r in book.roles if r["department"] == dep["id"]), key=lambda r: r["title"])
        out += [f"- [{r['title']}](roles/{r['id']}.md) — уровней: {len(r['levels'])}; "
                f"{pay_summary(r)}\n" for r in roles]
    out.append("\n## Статьи\n\n" + "".join(f"- [{front['title']}](articles/article-{k + 1:02d}.md)\n"
                                           for k, (front, _) in enumerate(book.pages)))
    return "".join(out)


def role_list(book: c.Handbook) -> str:
    departments = {d["id"]: d["title"] for d in book.handbook["departments"]}
    rows = [f"| [{r['title']}]({r['id']}.md) | {r['code']} | {departments[r['department']]} | "
            f"{'руководитель' if r['category'] == 'head' else 'специалист'} |\n"
            for r in sorted(book.roles, key=lambda r: r["title"])]
    return "# Должности\n\n| Должность | Код | Подразделение | Категория |\n|---|---|---|---|\n" + "".join(rows)


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0₽"


def band_text(band: dict | None) -> str:
    if band is None:
        return "нет данных"
    if band.get("min") is not None:
        return f"{money(band['min'])}–{money(band['max'])}"
    if band.get("max") is not None:
        return f"до {money(band['max'])}"
    if band.get("value") is not None:
        return money(band["value"])
    return f"медиана {money(band['median'])}"


def pay_summary(role: dict) -> str:
    medians = [b["median"] for b in role["salary"]["bands"]
               if b.get("region") == "moscow" and b.get("median") and not b.get("grade")]
    return f"Москва: медиана от {money(min(medians))}" if medians else "нет данных"


def items(values: list[str]) -> str:
    return "".join(f"- {v}\n" for v in values) if values else "нет данных\n"


def role_page(book: c.Handbook, role: dict, titles: dict[str, str], manages: list[str]) -> str:
    departments = {d["id"]: d["title"] for d in book.handbook["departments"]}
    sources = {s["id"]: s["title"] for s in book.handbook["sources"]}
    link = lambda rid: f"[{titles[rid]}]({rid}.md)"  # noqa: E731
    req = role["requirements"]
    out = [f"# {role['title']}\n\n{departments[role['department']]} · "
           f"{'руководитель' if role['category'] == 'head' else 'специалист'} · код {role['code']}\n\n",
           f"## Кратко\n\n{role['summary']}\n"]
    if role.get("clients"):
        out.append(f"**Клиенты:** {role['clients']}\n\n")
    bosses = ", ".join(link(b) for b in role["reports_to"]) or role.get("reports_to_other") or "нет данных"
    subordinates = [link(m) for m in sorted(manages, key=titles.get)] + (role.get("manages_other") or [])
    out.append(f"## Подчинение\n\n**Подчиняется:** {bosses}\n\n**Руководит:**\n\n{items(subordinates)}\n"
               f"**Замещает:** {role.get('substitute') or 'нет данных'}\n\n")
    out.append("## Требования\n\n" + "".join(
        f"### {label}\n\n{items(req[key])}\n" for key, label in [
            ("education", "Образование"), ("experience", "Опыт"), ("knowledge", "Знания"),
            ("skills", "Навыки"), ("qualities", "Личные качества")]))
    out.append("## Уровни\n\n" + "".join(
        f"### {lv['title']}\n\nОпыт: {lv.get('experience') or 'нет данных'}\n\n{lv.get('description', '')}\n"
        for lv in role["levels"]))
    for key, label in [("functions", "Функции"), ("duties", "Должностные обязанности"), ("rights", "Права"),
                       ("responsibilities", "Ответственность"), ("relationships", "Взаимоотношения")]:
        out.append(f"## {label}\n\n{items(role[key])}\n")
    out.append("## Показатели эффективности\n\n" + "".join(kpi(k) for k in role["kpis"]))
    out.append(pay(role["pay"]))
    out.append(salary(book, role["salary"]))
    out.append(career(role["career"], link))
    for comp in role["comparisons"]:
        rows = "".join(f"| {a['aspect']} | {a['this']} | {a['other']} |\n" for a in comp["aspects"])
        out.append(f"## Сравнение: {link(comp['role'])}\n\n{comp['summary']}\n"
                   f"| Аспект | {role['title']} | Другая должность |\n|---|---|---|\n{rows}\n")
    out.append("## Источники\n\n" + "".join(f"- {sources[s]} ({s})\n" for s in role["sources"]))
    return "".join(out)


def kpi(k: dict) -> str:
    better = {"higher": "чем больше, тем лучше", "lower": "чем меньше, тем лучше"}.get(k.get("better"), "")
    variables = "".join(f"- *{v['symbol']}* — {v['meaning']}\n" for v in k.get("variables", []))
    return (f"### {k['name']}\n\nФормула: `{k.get('formula') or 'нет данных'}`\n\n{variables}\n"
            f"Единица: {k.get('unit') or 'нет данных'}; {better}\n\n{k.get('description', '')}\n")


def pay(p: dict) -> str:
    shares = p["shares"]
    steps = "".join(f"| {'от ' + str(s['plan_from']) + ' % ' if 'plan_from' in s else ''}"
                    f"{'до ' + str(s['plan_to']) + ' %' if 'plan_to' in s else ''} | {s['reward']} |\n"
                    for scale in p["bonus_scales"] for s in scale["steps"])
    return (f"## Структура оплаты\n\nОклад {shares['fixed']} %, мягкий оклад {shares['soft']} %, "
            f"бонус {shares['bonus']} %\n\n{items(p['conditions'])}\n"
            f"| Выполнение плана | Бонус |\n|---|---|\n{steps}\n{p['notes']}\n")


def salary(book: c.Handbook, s: dict) -> str:
    grades = [g["id"] for g in s["grades"]]
    moscow = {b["segment"]: b["median"] for b in s["bands"]
              if b["region"] == "moscow" and b.get("median") and not b.get("grade")}
    out = ["## Зарплата по регионам\n\n"]
    for seg in book.regions["segments"]:
        out.append(f"**{seg['name']}**, руб. в месяц\n\n| Регион | "
                   + " | ".join(g["title"] for g in s["grades"]) + " | Медиана | % от Москвы |\n|"
                   + "---|" * (len(grades) + 3) + "\n")
        for region in book.regions["regions"]:
            bands = [b for b in s["bands"] if b["region"] == region["id"] and b["segment"] == seg["id"]]
            cells = [band_text(next((b for b in bands if b.get("grade") == g), None)) for g in grades]
            median = next((b["median"] for b in bands if b.get("median") and not b.get("grade")), None)
            percent = f"{round(100 * median / moscow[seg['id']])} %" if median and seg["id"] in moscow else "нет данных"
            out.append(f"| {region['name']} | " + " | ".join(cells)
                       + f" | {money(median) if median else 'нет данных'} | {percent} |\n")
        out.append("\n")
    out.append(f"{s['notes']}\nИсточник: {s['source']}, данные на {s['as_of']:%d.%m.%Y}\n\n")
    return "".join(out)


def career(cr: dict, link) -> str:
    def step(st: dict) -> str:
        return (link(st["role"]) if st.get("role") else st["title"]) + (f" — {st['note']}" if st.get("note") else "")
    return ("## Карьера\n\n### Откуда приходят\n\n" + items([step(s) for s in cr["paths_in"]])
            + "\n### Куда растут\n\n" + items([step(s) for s in cr["paths_out"]]) + "\n")


def write_salaries(book: c.Handbook, folder: Path) -> None:
    """One list per region and 200 roles, like Hugo's paginated salary lists."""
    roles = sorted(book.roles, key=lambda r: r["title"])
    chunks = [roles[k:k + PER_PAGE] for k in range(0, len(roles), PER_PAGE)]
    index = ["# Зарплаты по регионам\n\n"]
    for rid, name, _, _ in c.REGIONS:
        index.append(f"- {name}: " + ", ".join(f"[{k + 1}]({rid}-{k + 1}.md)" for k in range(len(chunks))) + "\n")
        for k, chunk in enumerate(chunks):
            _text(folder / f"{rid}-{k + 1}.md", region_page(book, rid, name, k, len(chunks), chunk))
    _text(folder / "index.md", "".join(index))


def region_page(book: c.Handbook, rid: str, name: str, k: int, pages: int, roles: list[dict]) -> str:
    segments = book.regions["segments"]
    header = "| Должность | " + " | ".join(f"{s['name']} {g}" for s in segments for g in
                                             ("I", "II", "III", "IV", "медиана")) + " |\n"
    rows = []
    for role in roles:
        cells = []
        for seg in segments:
            bands = {b.get("grade"): b for b in role["salary"]["bands"]
                     if b["region"] == rid and b["segment"] == seg["id"]}
            cells += [band_text(bands.get(g)) for g in ("I", "II", "III", "IV")]
            cells.append(money(bands[None]["median"]) if None in bands else "нет данных")
        rows.append(f"| [{role['title']}](../roles/{role['id']}.md) | " + " | ".join(cells) + " |\n")
    pager = " · ".join(f"[{n + 1}]({rid}-{n + 1}.md)" for n in range(pages))
    return (f"# Зарплаты: {name}\n\nСтраница {k + 1} из {pages}; суммы в рублях в месяц.\n\n{header}"
            + "|---" * (1 + 5 * len(segments)) + "|\n" + "".join(rows) + f"\n{pager}\n")


def _text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
