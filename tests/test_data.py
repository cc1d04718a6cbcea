"""site/data: salaries.csv read as a spreadsheet would (csv module), roles.json as JSON."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rolebook
from rolebook.render.data import _csv_field, json_bytes, salaries_csv, whole

COLUMNS = ["role_id", "role_title", "region_id", "region", "segment", "grade", "min", "max",
           "median", "currency", "period", "kind", "source"]
HOCS = "head-of-client-service"


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark for spreadsheet programs"
    text = data[3:].decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames[:len(COLUMNS)] == COLUMNS
    return list(reader)


@pytest.fixture(scope="module")
def rows(built_site) -> list[dict[str, str]]:
    return read_csv((built_site / "data" / "salaries.csv").read_bytes())


def only(rows, **where) -> dict[str, str]:
    found = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, (where, found)
    return found[0]


def test_one_row_per_band(rows, catalog):
    bands = sum(len(e.role.salary.bands) for e in catalog.roles.values() if e.role.salary)
    assert len(rows) == bands > 100


def test_saint_petersburg_agencies_grade_two(rows):
    row = only(rows, role_id=HOCS, region="Санкт-Петербург", segment="agencies", grade="II")
    assert (row["min"], row["max"], row["kind"]) == ("53000", "66000", "range")
    assert (row["region_id"], row["currency"], row["period"]) == ("saint-petersburg", "RUB", "month")
    assert row["role_title"] == "Руководитель отдела по работе с клиентами"
    assert row["source"] == "002_7e7140f67619050c.txt"


def test_moscow_agencies_has_only_the_median(rows):
    moscow = [r for r in rows if r["role_id"] == HOCS and r["region"] == "Москва"
              and r["segment"] == "agencies"]
    assert len(moscow) == 1
    row = moscow[0]
    assert (row["grade"], row["min"], row["max"], row["median"]) == ("", "", "", "115000")


def test_up_to_and_point_figures_stay_distinct(rows):
    up_to = only(rows, role_id="client-manager", region="Москва", grade="2")
    assert (up_to["kind"], up_to["min"], up_to["max"]) == ("up_to", "", "40000")
    point = only(rows, role_id="client-manager", region="Москва", grade="4")
    assert (point["kind"], point["min"], point["max"]) == ("point", "120000", "120000")


def test_missing_values_are_empty_cells_not_zero(rows):
    assert not any(r[c] in ("0", "None", "null") for r in rows for c in COLUMNS)
    assert all(re.fullmatch(r"\d*", r[c]) for r in rows for c in ("min", "max", "median"))


def test_text_that_looks_like_a_formula_is_quoted(handbook_copy):
    role = handbook_copy / "content" / "roles" / "client-manager.yaml"
    text = role.read_text(encoding="utf-8")
    hostile = ['"=HYPERLINK(\\"http://x\\")"', '"+1+1"', '"-2+3"', '"@SUM(A1)"']
    for value in hostile:
        text = text.replace("note: не более}", f"note: {value}}}", 1)
    role.write_text(text, encoding="utf-8")
    notes = [r["note"] for r in read_csv(whole(salaries_csv(rolebook.check(handbook_copy))))
             if r["role_id"] == "client-manager" and r["grade"] == "2"]
    assert sorted(notes) == sorted(["'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)"])


def test_roles_json_has_every_role_with_its_page_and_pdf(built_site, catalog):
    data = json.loads((built_site / "data" / "roles.json").read_text(encoding="utf-8"))
    roles = {r["id"]: r for r in data["roles"]}
    assert set(roles) == set(catalog.roles)
    for role_id, role in roles.items():
        assert role["url"] == f"roles/{role_id}/"
        assert role["pdf"] == f"pdf/{role_id}.pdf"
        assert (built_site / role["url"] / "index.html").is_file()
        assert (built_site / role["pdf"]).is_file()
        assert role["title"] == catalog.role(role_id).title


def test_roles_json_is_resolved(built_site):
    data = json.loads((built_site / "data" / "roles.json").read_text(encoding="utf-8"))
    roles = {r["id"]: r for r in data["roles"]}
    # who reports to whom, in both directions
    assert "client-manager" in roles[HOCS]["manages"]
    assert roles["client-manager"]["reports_to"] == [HOCS]
    bands = roles[HOCS]["salary"]["bands"]
    moscow = [b for b in bands if b["region"] == "moscow" and b["segment"] == "agencies"]
    assert moscow == [{"region": "moscow", "segment": "agencies", "grade": None, "min": None,
                       "max": None, "median": 115000, "value": None, "note": None,
                       "kind": "point"}]
    assert {r["id"] for r in data["regions"]} >= {"moscow", "saint-petersburg"}
    assert all(a["url"] == f"articles/{a['id']}/" for a in data["articles"])


_JSON_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)  # quotes, controls, Cyrillic…
_JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=20)


@given(_JSON_DATA)
def test_data_files_are_written_as_the_standard_library_writes_compact_json(data):
    """The JSON of the data files and scripts (orjson) is byte for byte the standard
    library's compact JSON with Cyrillic as is, for everything but floats (which both
    write to read back the same: test below)."""
    assert json_bytes(data) == json.dumps(data, ensure_ascii=False,
                                          separators=(",", ":")).encode()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_in_the_data_files_read_back_the_same(value):
    assert json.loads(json_bytes({"value": value})) == {"value": value}


@given(st.lists(st.text(max_size=12), min_size=2, max_size=6))
def test_a_csv_row_is_its_fields_as_the_csv_module_quotes_them(row):
    """salaries.csv joins fields quoted one by one: the same bytes as the csv module's row."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)
    assert ",".join(map(_csv_field, row)) + "\r\n" == buffer.getvalue()
