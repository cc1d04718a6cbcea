"""A small YAML writer for the synthetic content: plain data in, YAML text out.

It writes the way people write the bundled content (block mappings and
lists, short records such as salary bands in flow style ``{a: 1, b: 2}``,
Markdown as literal blocks ``|``) rather than the way ``yaml.safe_dump``
does, so that the parser does the same work as on real files. Strings that
could be misread are written double-quoted (JSON escapes are valid YAML).
``generate.py --verify`` reads every file back and compares it with the data.
"""

from __future__ import annotations

import datetime as dt
import json
import re


class Flow(dict):
    """A mapping written on one line: ``{region: moscow, min: 50000}``."""


_PLAIN = re.compile(r"[A-Za-zА-Яа-яЁё«(][^\n#\"'`]*")
_RISKY_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"}


def dump(data: dict, header: str = "") -> str:
    """A whole document: an optional comment line, then the mapping."""
    lines = [header] if header else []
    _mapping(data, 0, lines)
    return "\n".join(lines) + "\n"


def scalar(value, flow: bool = False) -> str:
    """One value on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Flow):
        return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in value.items()) + "}"
    if isinstance(value, list) and not value:
        return "[]"
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v, flow=True) for v in value) + "]"
    text = str(value)
    if _plain_ok(text, flow):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str, flow: bool) -> bool:
    if not _PLAIN.fullmatch(text) or text != text.strip() or text.lower() in _RISKY_WORDS:
        return False
    if ": " in text or text.endswith(":") or " #" in text:
        return False
    return not (flow and any(c in text for c in ",[]{}"))


def _mapping(data: dict, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, str) and "\n" in value:
            lines.append(f"{pad}{key}: |{'' if value.endswith(chr(10)) else '-'}")
            lines.extend(f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n"))
        elif isinstance(value, dict) and not isinstance(value, Flow):
            lines.append(f"{pad}{key}:")
            _mapping(value, indent + 2, lines)
        elif isinstance(value, list) and value and not _inline_list(value):
            lines.append(f"{pad}{key}:")
            _sequence(value, indent + 2, lines)
        else:
            lines.append(f"{pad}{key}: {scalar(value)}")


def _inline_list(value: list) -> bool:
    """Short lists of ids are written ``[a, b]``, as people do."""
    return all(isinstance(v, str) and re.fullmatch(r"[a-z0-9-]+", v) for v in value) and len(value) <= 3


def _sequence(items: list, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and not isinstance(item, Flow):
            start = len(lines)
            _mapping(item, indent + 2, lines)
            lines[start] = f"{pad}- {lines[start][indent + 2:]}"
        else:
            lines.append(f"{pad}- {scalar(item)}")
