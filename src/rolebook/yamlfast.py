"""A fast reading of plain YAML with rapidyaml, for the processes that fill the model cache.

PyYAML hands every event of libyaml's parser to Python as an object with two
positions: a rich role is about 1,900 events and 8 ms, most of a cold build's
model stage. rapidyaml parses into a tree of its own and writes it as JSON,
which Python's C decoder reads: about 1.2 ms for the same file.

The two parsers agree on plain YAML but not on everything: rapidyaml reads
YAML 1.2 where PyYAML reads YAML 1.1 (``yes``, ``~`` and ``2025-01-01`` are text
to one and not to the other), its JSON does not tell a quoted text from a plain
one, and it accepts some texts libyaml refuses. So ``read`` returns only data
that ``yamlpos.parse`` builds from the same text and raises ``Unusual`` for the
caller to read the text with ``yamlpos.parse`` where it cannot be sure: a text
with something that may be an anchor, a tag, a tab, a directive, a second
document, a character YAML refuses, or one of the shapes where the two parsers
were seen to differ (``_LEFT_TO_YAMLPOS``); a repeated key; a key YAML 1.1 reads
as another; a float; a text YAML 1.1 would read as another value (a date, a
boolean, null) unless it was surely written plain, which it then reads the same way.
tests/test_yamlfast.py holds both readings to this over the bundled content,
the broken-content corpus and thousands of mistyped variants of them.

rapidyaml prints its parse errors on the standard error stream (its C++
default, with no way to turn it off) before it raises, so ``read`` is meant for
worker processes whose stream is closed (``quiet``); a problem found there is
reported by the build's own reading of the file, which does not use it.
Nesting deeper than ``yamlpos.MAX_DEPTH``, which yamlpos refuses, is read here
(rapidyaml has a limit of its own): no handbook model holds data that deep, so
validation refuses it and the build reports it through yamlpos too.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import yaml

from . import yamlpos

try:
    import ryml
except ImportError:  # a platform without its wheel: every text is read by yamlpos
    ryml = None


class Unusual(Exception):
    """A text this reading leaves to ``yamlpos.parse``."""


# What YAML 1.1 reads as something other than text, by first character (PyYAML's table).
_IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers
# Texts left to yamlpos, found where rapidyaml and libyaml were seen to differ: a tab;
# a directive or document marker; a list item after a bracket or quote on its line
# (`- {a: 1} - {b: 2}`: two items to rapidyaml, an error to libyaml); a plain value
# starting with a character that cannot start one (`@x`, `]x`, `[%x]`, `[:x]`); a colon
# in brackets not followed by a space (`{max:? 1}`: a key `max:?` to rapidyaml); a block
# scalar's header followed by more (`>  -`); a character YAML refuses. Each pattern starts
# with a literal character, which Python's re finds quickly (one pattern of alternatives
# took 7 ms a file).
_LEFT_TO_YAMLPOS = [re.compile(pattern, re.M) for pattern in (
    r"\t", r"\n(?:---|\.\.\.|%)", r"\} *-(?: |$)", r"\] *-(?: |$)", r'" *-(?: |$)',
    r"' *-(?: |$)", r"\n[ -]*[\]}%@`]", r": +[\]}%@`:?]", r"\[ *[%@`?:]", r"\{ *[%@`?:]",
    r", *[%@`?:]", r"\{[^}\n]*:[^ \n]", r"\[[^\]\n]*:[^ \n]", r"\|[0-9+-]* +[^#\s]",
    r">[0-9+-]* +[^#\s]",
    yaml.reader.Reader.NON_PRINTABLE.pattern)]
# A tag (`!!str 12`, `!name`) or an anchor (`&name`): looked for only where `!` or `&` is.
_TAG_OR_ANCHOR = re.compile(r"(?:^|[\s\[{,])[!&]", re.M)
# A block scalar's header (`key: |`).
_BLOCK_HEADER = re.compile(r"[:-] +[|>]")
# A block scalar without its last line break (`|-`) could hold `yes` that is text to YAML.
_STRIPPED_BLOCK = re.compile(r"[|>][0-9]*-")


def quiet() -> None:
    """Close this process's standard error stream (see the module's docstring)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def read(text: str) -> Any:
    """The data of ``text``, as ``yamlpos.parse(text).data``; or ``Unusual``."""
    if ryml is None or _left_to_yamlpos(text):
        raise Unusual
    reading = _Reading(text)
    try:
        emitted = ryml.emit_json(ryml.parse_in_arena(text.encode()))
        data = json.loads(emitted, object_pairs_hook=reading.mapping)
    except Unusual:
        raise
    except Exception:  # noqa: BLE001 - rapidyaml's or JSON's error: yamlpos words it
        raise Unusual from None
    return reading.value(data)


def _left_to_yamlpos(text: str) -> bool:
    """Whether ``text`` has something rapidyaml may read otherwise than libyaml."""
    if not text.endswith("\n") or text.startswith(("---", "...")) \
            or text.lstrip(" -")[:1] in ("]", "}", "%", "@", "`"):
        return True  # (the first line, as the patterns below look at the others)
    if ("!" in text or "&" in text) and _TAG_OR_ANCHOR.search(text):
        return True
    return any(pattern.search(text) for pattern in _LEFT_TO_YAMLPOS)


class _Reading:
    """The checks of one text's JSON, made as the JSON is decoded."""

    def __init__(self, text: str):
        self.text = text

    def mapping(self, pairs: list[tuple[str, Any]]) -> dict:
        """A mapping of the JSON; a repeated key (JSON keeps the last) or a key YAML 1.1
        makes another of (`yes:`, `<<:`, `017:`) is left to yamlpos."""
        mapping = dict(pairs)
        if len(mapping) != len(pairs):
            raise Unusual
        if not _KEYS_SEEN.issuperset(mapping):
            for key in mapping:
                _key(key)
        for key, value in pairs:
            kind = value.__class__
            if kind is int or kind is dict:
                continue
            if kind is str:
                if value[:1] in _MAY_RESOLVE or " #" in value:
                    mapping[key] = self.text_value(value)
            elif kind is list:
                mapping[key] = self.value(value)
            elif kind is float:
                raise Unusual  # `1e3` is a number to rapidyaml and text to YAML 1.1
            elif value is None and _BLOCK_HEADER.search(self.text):
                raise Unusual  # an empty block scalar: null to rapidyaml, "" to libyaml
        return mapping

    def value(self, value: Any) -> Any:
        """A value of the JSON as YAML 1.1 reads it (a list: each of its items; mappings
        were read by ``mapping``)."""
        kind = value.__class__
        if kind is str:
            return self.text_value(value) if value[:1] in _MAY_RESOLVE or " #" in value \
                else value
        if kind is list:
            return [item if item.__class__ is dict else self.value(item) for item in value]
        if kind is float or value is None and _BLOCK_HEADER.search(self.text):
            raise Unusual
        return value

    def text_value(self, value: str) -> Any:
        """A text of the JSON as YAML 1.1 reads it: as itself, or (`2025-09-01`, `yes`,
        `~`) as another value if it was written plain, which it was if the text holds it
        in no quotes, no escape and no block scalar that keeps no line break (an empty
        plain value is null in the JSON: "" was quoted or an empty block scalar)."""
        if value[:1] == "*" or " #" in value:
            raise Unusual  # an alias; a comment that rapidyaml kept in a flow collection
        if not value or value in _TEXTS_SEEN:
            return value
        if not any(pattern.match(value) for _tag, pattern in _IMPLICIT.get(value[:1], ())):
            if len(_TEXTS_SEEN) < 10_000:
                _TEXTS_SEEN.add(value)
            return value
        text = self.text
        if "\\" in text or f'"{value}"' in text or f"'{value}'" in text \
                or _STRIPPED_BLOCK.search(text):
            raise Unusual
        return yaml.load(value, Loader=yamlpos._Loader)


# The first characters of the texts YAML 1.1 may read as another value, and of an alias.
_MAY_RESOLVE = frozenset(first for first in _IMPLICIT if first) | {"", "*"}
_KEYS_SEEN: set[str] = set()  # keys found to be the same key to both parsers
# Texts YAML 1.1 reads as texts wherever they stand (`novosibirsk`, `true story`): the same
# region and grade ids recur in every band of every file.
_TEXTS_SEEN: set[str] = set()


def _key(key: str) -> None:
    """Refuse a key YAML 1.1 reads as another key (`yes`, `<<`, `017`) or as a comment."""
    if key[:1] == "*" or " #" in key or not (key.isdigit() and key == str(int(key))) and any(
            pattern.match(key) for _tag, pattern in _IMPLICIT.get(key[:1], ())):
        raise Unusual
    if len(_KEYS_SEEN) < 10_000:
        _KEYS_SEEN.add(key)
