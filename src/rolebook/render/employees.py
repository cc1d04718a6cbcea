"""The employees who sign the acquaintance sheet (лист ознакомления) of a job description.

``document.employees`` in the handbook config names a CSV in ``content/``; in
comes the catalog, out come the names per role id. The CSV has a header row
with a role column (``role`` or ``Должность``: the role's id or its title) and a
name column (``name`` or ``ФИО``), separated by «,» or «;» (a spreadsheet in a
Russian locale saves «;»). A file that is missing, outside ``content/``, too
large or not UTF-8 is a content error.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentError, Problem

if TYPE_CHECKING:
    from ..resolve import Catalog

log = logging.getLogger(__name__)
MAX_EMPLOYEES_BYTES = 2_000_000

_ROLE_COLUMNS = ("role", "role_id", "должность", "роль")
_NAME_COLUMNS = ("name", "фио", "ф.и.о.", "фамилия, имя, отчество", "сотрудник")


def read_employees(catalog: "Catalog") -> dict[str, tuple[str, ...]]:
    """Names per role id from the CSV named by ``document.employees`` (relative to content/)."""
    relative = catalog.handbook.document.employees
    if not relative:
        return {}
    config = config_name(catalog)
    content = _content_folder(catalog)
    path = (content / relative).resolve()
    problem = _employees_problem(path, content, relative)
    if problem:
        raise ContentError([Problem(config, 0, 0, f"document.employees: {problem}")])
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    return _employees_by_role(catalog, text, config, relative)


def _employees_problem(path: Path, content: Path, relative: str) -> str:
    if not path.is_relative_to(content):
        return f"'{relative}' is outside the content folder; put the CSV into content/"
    if not path.is_file():
        return f"file '{relative}' not found in the content folder"
    if path.stat().st_size > MAX_EMPLOYEES_BYTES:
        return f"'{relative}' is larger than {MAX_EMPLOYEES_BYTES:,} bytes"
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return f"'{relative}' is not UTF-8 text; save it as CSV UTF-8"
    return ""


def _employees_by_role(catalog: "Catalog", text: str, config: str,
                       relative: str) -> dict[str, tuple[str, ...]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = {(h or "").strip().lower(): h for h in rows.fieldnames or []}
    role_col = next((header[c] for c in _ROLE_COLUMNS if c in header), None)
    name_col = next((header[c] for c in _NAME_COLUMNS if c in header), None)
    if role_col is None or name_col is None:
        raise ContentError([Problem(config, 0, 0, (
            f"document.employees: '{relative}' needs a header row with a role column "
            f"(role or Должность) and a name column (name or ФИО)"))])
    by_title = {entry.role.title.lower(): rid for rid, entry in catalog.roles.items()}
    found: dict[str, list[str]] = {}
    for row in rows:
        role = (row.get(role_col) or "").strip()
        name = (row.get(name_col) or "").strip()
        role_id = role if role in catalog.roles else by_title.get(role.lower())
        if role_id and name:
            found.setdefault(role_id, []).append(name)
        elif role or name:  # a typo would silently drop a person from the sheet
            log.warning("content/%s:%d: %s is not a role of the handbook (its id or title); "
                        "the row is left out", relative, rows.line_num, repr(role or "no role"))
    return {rid: tuple(names) for rid, names in found.items()}


def _content_folder(catalog: "Catalog") -> Path:
    # Every role file lives in content/roles/, so its grandparent is content/.
    entry = next(iter(catalog.roles.values()))
    return entry.document.path.resolve().parents[1]


def config_name(catalog: "Catalog") -> str:
    return next((n for n in catalog.digests if Path(n).name == "handbook.yaml"),
                "content/handbook.yaml")
