"""Stage 2, validate: loaded documents in, model objects (or positioned problems) out.

Runs each document through its pydantic class and turns every validation
error into a ``Problem`` at the line and column of the offending value, with
the field path and, for an unknown key, the closest known one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .load import Document
from .yamlpos import Located

M = TypeVar("M", bound=BaseModel)


def validate(document: Document, cls: type[M], problems: list[Problem],
             data: Any = None) -> M | None:
    """The document (or ``data`` parsed from it) as ``cls``; on failure append its problems
    and return None."""
    data = document.data if data is None else data
    if not isinstance(data, dict):
        empty = "the front matter is empty" if document.path.suffix == ".md" else "the file is empty"
        found = empty if data is None else f"found {_kind(data)}"
        problems.append(document.problem((), f"expected fields, one 'name: value' per line "
                                             f"(like 'title: ...'), but {found}"))
        return None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        errors = [_as_model_error(error) for error in exc.errors(include_url=False)]
        misspelt = {error["loc"][:-1] + (hint,) for error in errors
                    if error["type"] == "extra_forbidden"
                    for hint in [_closest(cls, error["loc"])] if hint}
        try:
            located = document.located  # the positions of every value, read once for all errors
        except Exception:  # noqa: BLE001 - changed or gone since it was read: no positions
            located = Located(None)
        for error in errors:
            if error["type"] == "missing" and error["loc"] in misspelt:
                continue  # "did you mean" on the misspelt key says it already
            line, column = located.position(error["loc"])
            problems.append(Problem(document.name, line, column, describe(error, cls)))
        return None


# A dataclass (a salary band) words some errors differently from a model; they mean the same.
_DATACLASS_ERRORS = {"dataclass_type": "model_type",
                     "unexpected_keyword_argument": "extra_forbidden",
                     "missing_keyword_argument": "missing"}


def _as_model_error(error: dict) -> dict:
    """A pydantic error as a model (not a dataclass) reports it."""
    kind = _DATACLASS_ERRORS.get(error["type"])
    return error if kind is None else {**error, "type": kind}


def describe(error: dict, cls: type[BaseModel]) -> str:
    """A pydantic error as a sentence that names the field and says what to do."""
    error = _as_model_error(error)
    loc = error["loc"]
    where = dotted(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _fields_at(cls, loc[:-1])
        hint = _closest(cls, loc)
        suggestion = f"; did you mean '{hint}'?" if hint else (
            f"; known fields: {', '.join(known)}" if known else "")
        return f"{where}: unknown field '{loc[-1]}'{suggestion}"
    if kind == "missing":
        return f"{where}: required field is missing; add a line '{loc[-1]}: ...'"
    value, ctx = error.get("input"), error.get("ctx", {})
    if (kind.endswith("_type") and value is None) or kind == "string_too_short":
        if _required(cls, loc):
            return f"{where}: the value is empty; write a value"
        return f"{where}: the value is empty; write a value or delete the line"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_HELP:
        return f"{where}: {_show(value)} {_PATTERN_HELP[ctx['pattern']]}"
    if kind in _RANGE_HELP:
        return f"{where}: {_show(value)} {_RANGE_HELP[kind].format(**ctx)}"
    if kind == "too_short":
        return f"{where}: the list is empty; add at least {ctx['min_length']} item"
    if kind == "string_too_long":
        return (f"{where}: the text is {len(value):,} characters long, over the limit of "
                f"{ctx['max_length']:,}; shorten it or split it into several items")
    if kind == "union_tag_invalid":
        return (f"{where}.{ctx['discriminator'].strip(chr(39))}: {_show(ctx['tag'])} is not "
                f"one of {ctx['expected_tags']}")
    if kind == "union_tag_not_found":
        field_name = ctx["discriminator"].strip("'")
        return f"{where}: required field '{field_name}' is missing; add a line '{field_name}: ...'"
    message = _TYPE_HELP.get(kind) or error["msg"].removeprefix("Value error, ") \
        .removeprefix("Assertion failed, ").removeprefix("Input ")
    if kind.endswith("_type") or kind in {"literal_error", "string_pattern_mismatch"}:
        message += f" (got {_show(value)})"
    if kind == "string_type" and isinstance(value, dict):
        message += "; text with ': ' in it must be put in quotes"
    elif kind == "string_type" and isinstance(value, (int, float, dt.date)):
        message += "; YAML reads this as a number or a date: put it in quotes to make it text"
    return f"{where}: {message}" if where else message


_PATTERN_HELP = {
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$": "is not a valid id: use lowercase latin letters, digits "
                                   "and single hyphens, like key-account-manager",
    r"^[A-Za-z0-9]+$": "is not a valid grade: use latin letters and digits, like II or 3",
    r"^[A-ZА-ЯЁ0-9]{1,10}$": "is not a valid code: use up to 10 capital letters or digits, "
                             "like КАМ",
}


# pydantic's wording of a wrong type, as what to write instead
_TYPE_HELP = {
    "string_type": "should be text",
    "int_type": "should be a whole number written without spaces, units or decimals, like 28000",
    "bool_type": "should be true or false",
    "date_type": "should be a date written as YYYY-MM-DD, like 2025-09-01",
    "list_type": "should be a list: [a, b] on one line, or one '- item' per line below it",
    "model_type": "should be a block of fields below it, each 'name: value' on its own "
                  "indented line",
    "dict_type": "should be a block of fields below it, each 'name: value' on its own "
                 "indented line",
}
_RANGE_HELP = {
    "greater_than_equal": "is too small: the least allowed value is {ge}",
    "less_than_equal": "is too large: the largest allowed value is {le}; check for an extra zero",
}


def _required(cls: type[BaseModel], loc: tuple) -> bool:
    """Is the field at ``loc`` required (a list item is not: it can be deleted)?"""
    if not loc or isinstance(loc[-1], int):
        return False
    fields = _fields_of(_model_at(cls, loc[:-1]))
    return loc[-1] in fields and fields[loc[-1]].is_required()


def dotted(loc: tuple) -> str:
    """("salary", "bands", 3, "min") -> "salary.bands[3].min"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _is_union_tag(part):
            out += f".{part}" if out else str(part)
    return out


def _is_union_tag(part: str) -> bool:
    # Discriminated unions add the tag ("official") or class name to the path.
    return part[:1].isupper() or part in {"official", "order"}


def _closest(cls: type[BaseModel], loc: tuple) -> str | None:
    """The known field closest to the unknown key at ``loc``, if one is close."""
    hint = difflib.get_close_matches(str(loc[-1]), _fields_at(cls, loc[:-1]), n=1, cutoff=0.6)
    return hint[0] if hint else None


def _fields_at(cls: Any, loc: tuple) -> list[str]:
    return list(_fields_of(_model_at(cls, loc)))


def _fields_of(cls: Any) -> dict:
    """The fields of a model or of a pydantic dataclass (empty for anything else)."""
    return getattr(cls, "model_fields", None) or getattr(cls, "__pydantic_fields__", None) or {}


def _model_at(cls: Any, loc: tuple) -> Any:
    """The model class of the mapping at ``loc`` (None if there is none)."""
    for part in loc:
        if isinstance(part, int) or _is_union_tag(str(part)):
            continue
        fields = _fields_of(cls)
        if part not in fields:
            return None
        cls = _model_in(fields[part].annotation)
    return cls


def _model_in(annotation: Any) -> Any:
    """The pydantic class inside list[X] | None and similar wrappers."""
    if isinstance(annotation, type) and (issubclass(annotation, BaseModel)
                                         or hasattr(annotation, "__pydantic_fields__")):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__)


def _show(value: Any) -> str:
    text = repr(str(value)) if isinstance(value, (dt.date, dt.datetime)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
