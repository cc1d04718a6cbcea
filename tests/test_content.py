"""The bundled handbook: valid, complete, and faithful to the seed documents."""

from __future__ import annotations

import json
import re
from pathlib import Path


from rolebook.schema import schemas

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "content" / "sources"  # the seed documents the content is made from
SEEDS = ("000_5386ec76da81f8d6.txt", "001_211f77155229c115.txt",
         "002_7e7140f67619050c.txt", "003_596bf23d50027c57.txt")
ROLE_IDS = {"account-manager", "key-account-manager", "client-manager", "sales-manager",
            "head-of-client-service", "head-of-sales", "client-service-director"}
CITIES = ["Москва", "Санкт-Петербург", "Волгоград", "Екатеринбург", "Казань",
          "Нижний Новгород", "Новосибирск", "Омск", "Ростов-на-Дону", "Самара", "Уфа",
          "Челябинск"]


def bands(catalog, role_id):
    """(region, segment, grade) -> band of one role."""
    return {(b.region, b.segment, b.grade): b for b in catalog.role(role_id).salary.bands}


def test_the_seven_roles_with_their_sources(catalog):
    assert set(catalog.roles) == ROLE_IDS
    for entry in catalog.roles.values():
        assert entry.role.sources and set(entry.role.sources) <= set(SEEDS)
        assert entry.role.summary.strip() and "TODO" not in entry.role.summary


def test_regions_and_segments(catalog):
    assert [r.name for r in catalog.regions.values()] == CITIES
    assert {s: seg.name for s, seg in catalog.segments.items()} == {
        "agencies": "Агентства", "companies": "Компании"}


def test_head_of_client_service_salary_table(catalog):
    table = bands(catalog, "head-of-client-service")
    spb = table[("saint-petersburg", "agencies", "II")]
    assert (spb.min, spb.max, spb.kind) == (53000, 66000, "range")
    assert table[("chelyabinsk", "companies", "IV")].max == 120000
    assert table[("omsk", "companies", None)].median == 65000
    # Москва/Агентства: only the median is in the source; its ranges stay missing.
    assert table[("moscow", "agencies", None)].median == 115000
    assert not any(key[:2] == ("moscow", "agencies") and key[2] for key in table)
    moscow_companies = table[("moscow", "companies", "I")]
    assert (moscow_companies.min, moscow_companies.max) == (50000, 60000)
    # 12 regions x 2 segments x (4 grades + median), minus Moscow agencies' four ranges.
    assert len(table) == 12 * 2 * 5 - 4


def test_head_of_client_service_table_matches_the_seed_row_by_row(catalog):
    """Every figure of the 002 table, read from the seed itself."""
    text = SOURCES / SEEDS[2]
    regions = {r.name: r.id for r in catalog.regions.values()}
    table = bands(catalog, "head-of-client-service")
    region = None
    rows = 0
    for line in text.read_text(encoding="utf-8").splitlines():
        for name in sorted(regions, key=len, reverse=True):
            if line.startswith(name + " "):
                region, line = regions[name], line[len(name) + 1:]
                break
        segment = {"Агентства": "agencies", "Компании": "companies"}.get(line.split(" ")[0])
        if region is None or segment is None:
            continue
        *ranges, median = _figures(line.split(" ", 1)[1])
        assert table[(region, segment, None)].median == median
        for grade, (low, high) in zip(("I", "II", "III", "IV"), zip(ranges[::2], ranges[1::2])):
            assert (table[(region, segment, grade)].min, table[(region, segment, grade)].max) \
                == (low, high)
        rows += 1
    assert rows == 24


def _figures(text: str) -> list[int]:
    """'40 000 – 53 000 53 000 – 66 000 ... 94 000' -> [40000, 53000, ..., 94000]."""
    return [int(m.replace(" ", "")) for m in re.findall(r"\d{2,3} \d{3}", text)]


def test_client_manager_levels_keep_range_up_to_and_point_apart(catalog):
    table = bands(catalog, "client-manager")
    first = table[("moscow", None, "1")]
    assert (first.kind, first.min, first.max) == ("range", 25000, 30000)
    second = table[("saint-petersburg", None, "2")]
    assert (second.kind, second.min, second.max) == ("up_to", None, 30000)
    third = table[("yekaterinburg", None, "3")]
    assert (third.kind, third.max) == ("up_to", 38000)
    fourth = table[("nizhny-novgorod", None, "4")]
    assert (fourth.kind, fourth.value) == ("point", 55000)
    assert table[("moscow", None, "4")].value == 120000


def test_head_of_sales_bonus_scale_and_shares(catalog):
    pay = catalog.role("head-of-sales").pay
    assert pay is not None and pay.bonus_scales
    steps = pay.bonus_scales[0].steps
    assert any(step.plan_from == 80 and step.plan_to == 100 for step in steps)


def test_kpi_formulas_from_002(catalog):
    kpis = {k.name: k for k in catalog.role("client-manager").kpis}
    assert any("Доля постоянных клиентов" in name for name in kpis)
    assert all(kpi.formula is None or "?" not in kpi.formula for kpi in kpis.values())


def test_articles_exist_and_cite_sources(catalog):
    assert len(catalog.pages) >= 8
    for entry in catalog.pages:
        assert entry.document.body.strip()
        assert set(entry.page.sources) <= set(SEEDS)


def test_content_files_point_editors_at_the_schema():
    for path in (REPO / "content").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: schema {target} is missing"


def test_committed_schema_matches_the_model():
    for stem, schema in schemas().items():
        committed = json.loads((REPO / "schema" / f"{stem}.schema.json").read_text(encoding="utf-8"))
        assert committed == schema, f"schema/{stem}.schema.json is stale: run `rolebook schema`"


# Numbers the content writes in digits where its source spells them out.
SPELT_OUT_IN_SOURCE = {"1990"}  # «в конце девяностых» (003)


def _numbers(text: str) -> set[str]:
    """Every figure in a text: '115 000' and '115000' both give '115000'."""
    grouped = {m.replace(" ", "").replace("\u00a0", "")
               for m in re.findall(r"(?<![\d.,])\d{1,3}(?:[ \u00a0]\d{3})(?![\d.,])", text)}
    return grouped | set(re.findall(r"\d+(?:[.,]\d+)?", text))


def test_every_figure_in_the_content_is_in_a_seed():
    """Nothing invented: each number of the roles and articles appears in the seeds."""
    known = set().union(*(_numbers((SOURCES / seed).read_text(encoding="utf-8"))
                          for seed in SEEDS))
    known |= SPELT_OUT_IN_SOURCE
    structural = re.compile(r"^\s*-?\s*(order|experience_years|id|grade|salary_grade|number|"
                            r"as_of|published|date):.*$|\d{3}_[0-9a-f]{16}\.txt|\bgrade: \"?\w+\"?|"
                            r"[Ии]сточник\w* \d{3}", re.MULTILINE)
    for path in [*REPO.glob("content/roles/*.yaml"), *REPO.glob("content/pages/*.md")]:
        text = structural.sub("", path.read_text(encoding="utf-8"))
        invented = {n for n in _numbers(text) - known if len(n.strip(".,")) > 1}
        assert not invented, f"{path.name}: figures not in any seed: {sorted(invented)}"
