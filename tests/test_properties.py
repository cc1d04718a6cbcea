"""Property tests: whatever the content, rolebook succeeds or reports problems, never crashes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import rolebook
from rolebook import yamlpos

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# Text people paste: Cyrillic, emoji, markup, control characters, very long lines.
texts = st.one_of(
    st.text(min_size=1, max_size=40),
    st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВ «»—–-.,:;!?0123456789 ", min_size=1,
            max_size=200),
    st.sampled_from(["<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "😀👩‍💼", "\u202e",
                     "=HYPERLINK(\"http://x\")", "a" * 5000, "  ", "null", "~", "- x", "''"]),
)
amounts = st.one_of(st.integers(min_value=-10, max_value=20_000_000), st.none(),
                    st.floats(allow_nan=True), texts)
values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), texts),
                      lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=10)


@st.composite
def role_documents(draw) -> dict:
    """A role mapping that is often valid and often wrong in one or two places."""
    role = {
        "id": "worker",
        "title": draw(texts),
        "code": draw(st.sampled_from(["МП", "mp", "", "ОЧЕНЬДЛИННЫЙКОД"])),
        "category": draw(st.sampled_from(["specialist", "head", "boss"])),
        "department": draw(st.sampled_from(["sales", "nowhere"])),
        "sources": draw(st.sampled_from([["seed.txt"], [], "seed.txt"])),
        "summary": draw(texts),
        "reports_to": draw(st.sampled_from([["boss"], ["worker"], ["ghost"], []])),
        "duties": draw(st.lists(texts, max_size=5)),
        "salary": {
            "source": "seed.txt",
            "grades": [{"id": "I", "title": "Диапазон I"}],
            "bands": draw(st.lists(st.fixed_dictionaries({
                "region": st.sampled_from(["moscow", "kazan", "mars"]),
                "grade": st.sampled_from(["I", "II", 1]),
                "min": amounts, "max": amounts}), max_size=3)),
        },
    }
    if draw(st.booleans()):
        role[draw(st.text(min_size=1, max_size=10))] = draw(values)
    return role


@st.composite
def valid_roles(draw) -> dict:
    """A role whose structure is right and whose texts are anything a person may type."""
    text = texts.filter(lambda t: t.strip() and len(t) <= 2000 and not CONTROL.search(t))
    low = draw(st.integers(min_value=1, max_value=1_000_000))
    return valid_role(draw(text), draw(text), draw(st.lists(text, max_size=5)), draw(text),
                      low, low + draw(st.integers(min_value=0, max_value=9_000_000)))


def valid_role(title: str, summary: str, duties: list[str], grade: str, low: int, high: int) -> dict:
    return {
        "id": "worker", "title": title, "code": "МП", "category": "specialist",
        "department": "sales", "sources": ["seed.txt"], "summary": summary,
        "reports_to": ["boss"], "duties": duties,
        "salary": {"source": "seed.txt", "grades": [{"id": "I", "title": grade}],
                   "bands": [{"region": "kazan", "grade": "I", "min": low, "max": high}]},
    }


MARKUP = "<script>alert('x')</script> & \"кавычки\" {{ 7*7 }}"


def handbook_with(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "handbook"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(MINIMAL, root)
    (root / "content" / "roles" / "worker.yaml").write_text(text, encoding="utf-8")
    return root


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_parses_or_gets_a_positioned_problem(text):
    try:
        yamlpos.parse(text)
    except yamlpos.YamlProblem as problem:
        assert problem.line >= 1 and problem.column >= 1 and problem.message


@SETTINGS
@given(role_documents())
def test_any_role_checks_or_reports_problems(tmp_path, role):
    root = handbook_with(tmp_path, yaml.safe_dump(role, allow_unicode=True))
    try:
        catalog = rolebook.check(root)
    except rolebook.ContentError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file.startswith("content/") and problem.message
    else:
        assert catalog.role("worker").title == role["title"].strip()


@settings(SETTINGS, max_examples=20)  # each example is a whole HTML build (about a second)
@given(valid_roles())
@example(valid_role(MARKUP, MARKUP, [MARKUP, "<b>жирный</b>"], MARKUP, 1, 2))
def test_every_valid_role_builds_and_shows_its_text_escaped(tmp_path, role):
    from markupsafe import escape

    text = yaml.safe_dump(role, allow_unicode=True)
    expected = yaml.safe_load(text)
    root = handbook_with(tmp_path, text)
    rolebook.build(root, rolebook.BuildOptions(pdf=False))
    # The bytes as served: read_text would turn a "\r" of the content into "\n".
    page = (root / "site" / "roles" / "worker" / "index.html").read_bytes().decode("utf-8")
    assert f"<h1>{escape(expected['title'].strip())}</h1>" in page
    for duty in expected["duties"]:
        assert f"<li>{escape(duty.strip())}</li>" in page


@SETTINGS
@given(valid_roles())
def test_every_valid_role_checks(tmp_path, role):
    text = yaml.safe_dump(role, allow_unicode=True)
    expected = yaml.safe_load(text)  # what YAML itself makes of it (line breaks fold)
    catalog = rolebook.check(handbook_with(tmp_path, text))
    worker = catalog.role("worker")
    assert worker.title == expected["title"].strip()
    assert worker.duties == [d.strip() for d in expected["duties"]]


ids = st.sampled_from([None, "moscow", "spb", "kazan"])
figures = st.one_of(st.none(), st.integers(min_value=0, max_value=2_000_000))


@st.composite
def bands(draw):
    """A band as validation lets it through: a range's min at most its max."""
    from rolebook.model import Band

    low, high = sorted([draw(figures) or 0, draw(figures) or 0])
    low = draw(st.sampled_from([None, low]))
    high = draw(st.sampled_from([None, high])) if low is None else high
    return Band((draw(ids), draw(ids), draw(ids), low, high, draw(figures), draw(figures), None))


@SETTINGS
@given(st.lists(bands(), max_size=12))
def test_a_summary_of_bands_says_what_the_bands_do(bands):
    """The summary a role's salary keeps (the cross-checks and the salary comparison read
    it instead of the bands) holds what a pass over the bands finds."""
    from rolebook.model import BandSummary

    summary = BandSummary.of(bands)
    assert summary.regions == {b.region for b in bands}
    assert summary.segments == {b.segment for b in bands}
    assert summary.grades == {b.grade for b in bands}
    assert summary.top == max((f for b in bands for f in (b.min, b.max, b.median, b.value)
                               if f is not None), default=None)
    assert summary.distinct == (len({(b.region, b.segment, b.grade) for b in bands}) == len(bands))
    assert summary.medians_inside == all(b.median is None or b.min is None
                                         or b.min <= b.median <= b.max for b in bands)
