"""Russian formatting for templates: amounts, dates, plurals (Babel).

Amounts read «115 000 ₽» with no-break spaces, so that a figure never
breaks across lines.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

NBSP = "\u00a0"
_CURRENCY = {"RUB": "₽"}


def money(amount: int | float | None, currency: str = "RUB") -> str:
    """115000 -> «115 000 ₽» (no-break spaces); None -> «нет данных»."""
    if amount is None:
        return "нет данных"
    return f"{number(amount)}{NBSP}{_CURRENCY.get(currency, currency)}"


def number(value: int | float) -> str:
    """Digits grouped the Russian way, with no-break spaces."""
    return format_decimal(value, locale="ru_RU").replace("\u202f", NBSP)


def date(value: dt.date, style: str = "long") -> str:
    """2024-05-17 -> «17 мая 2024 г.»; style "numeric" -> «17.05.2024»."""
    if style == "numeric":
        return value.strftime("%d.%m.%Y")
    return format_date(value, format=style, locale="ru_RU")


FILTERS = {"money": money, "number": number, "date": date}
