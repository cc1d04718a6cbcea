"""Russian formatting for templates: amounts, dates, plurals (Babel).

Amounts read «115 000 ₽» with no-break spaces, so that a figure never
breaks across lines. KPI formulas are escaped first and only then given
their subscripts, so a formula cannot carry markup of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

NBSP = "\u00a0"
_CURRENCY = {"RUB": "₽"}


def money(amount: int | float | None, currency: str = "RUB") -> str:
    """115000 -> «115 000 ₽» (no-break spaces); None -> «нет данных»."""
    if amount is None:
        return "нет данных"
    return f"{number(amount)}{NBSP}{_CURRENCY.get(currency, currency)}"


@lru_cache(maxsize=65536)  # Babel is slow and a handbook repeats the same few amounts
def number(value: int | float) -> str:
    """Digits grouped the Russian way, with no-break spaces."""
    return format_decimal(value, locale="ru_RU").replace("\u202f", NBSP)


def percent(value: int | float | None) -> str:
    """42.5 -> «42,5 %» (no-break space); None -> «нет данных»."""
    if value is None:
        return "нет данных"
    return f"{number(value)}{NBSP}%"


_SCRIPT = re.compile(r"([_^])\{([^{}]*)\}")


def formula(text: str) -> Markup:
    """A KPI formula as HTML: ``N_{воз} / N_{обр} × 100 %`` -> N<sub>воз</sub> / …

    ``_{…}`` becomes a subscript and ``^{…}`` a superscript; everything else is
    text. The whole formula is escaped before the tags are added, so ``<`` in
    a formula stays a character.
    """
    escaped = str(escape(text))
    html = _SCRIPT.sub(lambda m: f"<{_TAG[m[1]]}>{m[2]}</{_TAG[m[1]]}>", escaped)
    return Markup(html.replace(" × ", f"{NBSP}× ").replace(" / ", f"{NBSP}/ "))


_TAG = {"_": "sub", "^": "sup"}
_SCRIPT_IN_HTML = re.compile(r"([_^])\{([^{}<>]*)\}")


def subscripts(html: Markup) -> Markup:
    """Formula symbols in rendered, sanitized Markdown (``K_{отс}`` in a KPI's
    description) get their subscripts too. The inserted text holds no ``<`` or
    ``>``, so the HTML stays as safe as it was."""
    return Markup(_SCRIPT_IN_HTML.sub(lambda m: f"<{_TAG[m[1]]}>{m[2]}</{_TAG[m[1]]}>",
                                      str(html)))


@lru_cache(maxsize=4096)  # Babel takes a tenth of a millisecond; pages repeat a few dates
def date(value: dt.date, style: str = "long") -> str:
    """2024-05-17 -> «17 мая 2024 г.»; style "numeric" -> «17.05.2024»."""
    if style == "numeric":
        return value.strftime("%d.%m.%Y")
    return format_date(value, format=style, locale="ru_RU")


FILTERS = {"money": money, "number": number, "date": date, "percent": percent,
           "formula": formula, "subscripts": subscripts}
