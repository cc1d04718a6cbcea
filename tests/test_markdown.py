"""Markdown fields to HTML: the typographer is skipped only where it would change nothing."""

from __future__ import annotations

import random
from pathlib import Path

import markdown
import pytest
import yaml

from rolebook.render import markdown as md
from rolebook.render.markdown import markdown_html

ROOT = Path(__file__).resolve().parent.parent


def with_typographer(text: str) -> str:
    """``text`` converted with the typographer (Python-Markdown's smarty) whatever it holds,
    and sanitised as markdown_html sanitises."""
    import nh3

    converter = markdown.Markdown(
        extensions=["tables", "sane_lists", "smarty"],
        extension_configs={"smarty": {"substitutions": {"left-double-quote": "«",
                                                        "right-double-quote": "»"}}},
        output_format="html")
    return nh3.clean(converter.convert(text), tags=md._TAGS, attributes=md._ATTRIBUTES,
                     url_schemes=md._SCHEMES, link_rel="noopener noreferrer")


def content_texts() -> list[str]:
    texts: list[str] = []

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted((ROOT / "content").rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    texts += [p.read_text(encoding="utf-8").split("---", 2)[-1]
              for p in sorted((ROOT / "content" / "pages").glob("*.md"))]
    return texts


@pytest.mark.parametrize("text", ['Он сказал "да" -- и ушёл...', "Клиент 'ключевой'",
                                  'Экранированная \\"кавычка\\"', "Без типографики — «уже»"])
def test_typographer_applies_where_it_changes_something(text):
    assert str(markdown_html(text)) == with_typographer(text)


def test_every_content_text_and_its_variants_convert_as_with_the_typographer():
    rng = random.Random(7)
    marks = ["\\", "&quot;", "`", "*", "_", "<<", ">>", "-", ".", "'", '"', "\n", "&#34;"]
    texts = content_texts()
    variants = []
    for text in texts:
        at = rng.randrange(len(text) + 1)
        variants.append(text[:at] + rng.choice(marks) + text[at:])
    for text in texts + variants:
        assert str(markdown_html(text)) == with_typographer(text), text
