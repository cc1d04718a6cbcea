"""rapidyaml's reading (yamlfast) builds what yamlpos builds, or leaves the text to it."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from rolebook import yamlfast, yamlpos
from rolebook.load import _decode

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(yamlfast.ryml is None, reason="rapidyaml is not installed")


def exact(text: str):
    try:
        return ("data", yamlpos.parse(text).data)
    except yamlpos.YamlProblem:
        return ("problem",)


def agrees(text: str) -> bool:
    """The fast reading leaves the text to yamlpos, or builds the same data of it (the
    same types too: repr tells 1 from True and a date from its text)."""
    try:
        fast = ("data", yamlfast.read(text))
    except yamlfast.Unusual:
        return True
    slow = exact(text)
    return slow == fast and repr(slow) == repr(fast)


def yaml_files() -> list[Path]:
    files = sorted((ROOT / "content").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.yaml"))
    return [f for f in files if "node_modules" not in f.parts]


def texts() -> dict[str, str]:
    found = {}
    for path in yaml_files():
        try:
            text = _decode(path.read_bytes())
        except Exception:  # noqa: BLE001 - an undecodable file of the broken corpus
            continue
        # Deeper than yamlpos allows: read here, refused by validation (see the module).
        if not yamlpos._may_nest_deeper(text):
            found[str(path.relative_to(ROOT))] = text
    return found


@pytest.mark.parametrize("name", sorted(texts()))
def test_every_content_and_corpus_file_is_read_alike(name):
    assert agrees(texts()[name])


def test_plain_roles_are_read_fast_with_dates_and_numbers():
    role = ROOT / "tests" / "fixtures" / "minimal" / "content" / "roles" / "worker.yaml"
    text = role.read_text(encoding="utf-8")
    data = yamlfast.read(text)
    assert data == yamlpos.parse(text).data
    bundled = sorted((ROOT / "content" / "roles").glob("*.yaml"))
    fast = [p for p in bundled if _reads_fast(p.read_text(encoding="utf-8"))]
    assert len(fast) >= len(bundled) // 2, "the fast reading is used for most bundled roles"
    assert yamlfast.read("as_of: 2025-09-01\nn: 40000\nok: yes\nnone: ~\n") == {
        "as_of": dt.date(2025, 9, 1), "n": 40000, "ok": True, "none": None}


def _reads_fast(text: str) -> bool:
    try:
        yamlfast.read(text)
        return True
    except yamlfast.Unusual:
        return False


# Texts where the two parsers were seen to differ, and their neighbours.
CASES = [
    "l:\n  - {a: 1}    - {b: 2}\n", "l:\n  - [a]  - [b]\n", "l:\n  - {a: 1} - x\n",
    'l:\n  - "a" - b\n', "k: [%x]\n", "k: [?x]\n", "k: {a: %x}\n", "k: [a, :x]\n",
    "k: }x\n", "k: ]x\n", "]k: x\n", "@k: x\n", "k: {a: :x}\n", "k: {a: ?x}\n",
    "k: {max:? 1}\n", "k: {a:, b}\n", "k: {a: в #x}\n", "k: >  -\n  x\n", "k: |\n #x\nj: 1\n",
    "k: |\nj: 1\n", "k: 1e3\n", "k: !!str 12\n", "k: !x y\n", "a: &x 1\nb: *x\n",
    "a: 1\na: 2\n", "<<: {a: 1}\n", "yes: 1\n", "017: 1\n", "k: 017\n", "k: 0x1F\n",
    "k: 1_000\n", "k: '2025-09-01'\n", 'k: "yes"\n', "k: |-\n  yes\n", "k: ~\n", "k: ''\n",
    "k: 1:20\n", "k: x", "%YAML 1.1\n---\nk: x\n", "k: x\n---\nj: y\n", "k:\n\tj: 1\n",
    'k: "\\e\\0\\a"\n', "k: \x07\n", "k: [a, , b]\n", "k: {a, b}\n", "k: [a: 1]\n",
    "k: a#b\n", "k: x # c\n", "k: 'it''s'\n", "k: \"a\\\n  b\"\n", "k: >\n  a\n  b\n\n  c\n",
    "k: |+\n  a\n\n", "k: x\r\nj: y\r\n", "- a\n- b\n", "x\n", "1: x\n", "k: True\n",
]


@pytest.mark.parametrize("text", CASES)
def test_texts_where_the_parsers_differ(text):
    assert agrees(text)


def test_mutated_content_is_read_alike():
    """Typing mistakes in real content: characters put in, taken out, lines joined or
    indented otherwise. The fast reading never accepts a text yamlpos refuses and never
    builds other data."""
    rng = random.Random(20261122)
    sources = [t for name, t in texts().items() if "broken" not in name]
    alphabet = [" ", "  ", ":", "-", "\n", "'", '"', "#", "[", "]", "{", "}", ",", "|",
                ">", "?", "%", "@", "`", "*", "&", "!", "\t", "x", "1", "\\", ": ", "- "]
    for _ in range(1500):
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 3)):
            at, roll = rng.randrange(len(text) + 1), rng.random()
            if roll < 0.4:
                text = text[:at] + rng.choice(alphabet) + text[at:]
            elif roll < 0.7:
                text = text[:at] + text[at + rng.randint(1, 3):]
            elif roll < 0.8 and (end := text.find("\n", at)) > 0:
                text = text[:end] + rng.choice([" ", "", "  "]) + text[end + 1:].lstrip(" ")
            else:
                lines = text.split("\n")
                k = rng.randrange(len(lines))
                lines[k] = rng.choice(["", " ", "   "]) + lines[k].lstrip(" ")
                text = "\n".join(lines)
        assert agrees(text), text


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="worker processes need two cores")
def test_worker_reading_reports_what_libyaml_refuses_without_noise(tmp_path):
    """A band list rapidyaml reads as two items and libyaml refuses: the cache's workers
    leave it to the build, which reports it; rapidyaml prints nothing."""
    import shutil

    handbook = tmp_path / "handbook"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", handbook)
    role = handbook / "content" / "roles" / "worker.yaml"
    text = role.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip().startswith("- {region"))
    role.write_text(text.replace(first + "\n", first + "    " + first.strip() + "\n", 1),
                    encoding="utf-8")
    script = ("import sys, rolebook.parsecache as cache\ncache.PARALLEL_FROM = 1\n"
              "from rolebook.cli import main\nmain(['check', sys.argv[1]])\n")
    result = subprocess.run([sys.executable, "-c", script, str(handbook)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "content/roles/worker.yaml:" in result.stderr + result.stdout
    assert "block sequence entries are not allowed" in result.stderr + result.stdout
    assert "ERROR" not in result.stderr and "parse_engine" not in result.stderr
