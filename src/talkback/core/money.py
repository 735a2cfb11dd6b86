"""Money as integers of a currency's minor unit, and amounts formatted for a reader's locale.

Stripe, like our tables, counts in minor units (cents; yen for JPY, which has none), and
sums of integers are exact. Readers and the API see major units. babel knows each
currency's precision and each locale's way of writing money.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import TypeAlias

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

CURRENCIES = frozenset(list_currencies())

JsonNumber: TypeAlias = int | float
"""An amount in major units as the API writes it: an int when whole (`to_json_number`)."""


class InvalidAmount(ValueError):
    """An amount or currency a reader or an admin cannot use; the message says why."""


def check_currency(code: str) -> str:
    """The ISO 4217 code in capitals, or InvalidAmount."""
    upper = code.strip().upper()
    if upper not in CURRENCIES:
        raise InvalidAmount(f"{code!r} is not an ISO 4217 currency code")
    return upper


def exponent(currency: str) -> int:
    """How many minor units make a major one, as a power of ten (2 for USD, 0 for JPY)."""
    return get_currency_precision(currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """Major units to minor units; refuses more decimals than the currency has."""
    if not amount.is_finite():
        raise InvalidAmount("the amount must be a number")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        places = exponent(currency)
        raise InvalidAmount(
            f"{currency} amounts are whole numbers"
            if places == 0
            else f"{currency} amounts have at most {places} decimals"
        )
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def to_json_number(minor: int, currency: str) -> JsonNumber:
    """Major units as a JSON number: an int when whole, so `5000` is not `5000.0`."""
    major = to_major(minor, currency)
    return int(major) if major == major.to_integral_value() else float(major)


def format_money(minor: int, currency: str, locale: str) -> str:
    """`$1,112` for en_US, `1.112 $` for de_DE: whole amounts without decimals, others
    with the currency's own, as goal bars on news sites print them."""
    major = to_major(minor, currency)
    if major != major.to_integral_value():
        return format_currency(major, currency, locale=locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    whole = pattern.replace(".00", "").replace(".##", "")
    return format_currency(major, currency, locale=locale, format=whole, currency_digits=False)


def check_locale(code: str) -> str:
    """A locale babel knows, as `ll_TT` (accepts `de-DE` and `de`), or InvalidAmount."""
    try:
        return str(Locale.parse(code.replace("-", "_")))
    except (ValueError, UnknownLocaleError) as exc:
        raise InvalidAmount(f"unknown locale {code!r}") from exc


def default_ticks(goal_minor: int) -> list[int]:
    """0, half the goal, the goal."""
    return [0, goal_minor // 2, goal_minor]


def default_presets(goal_minor: int, currency: str) -> list[int]:
    """Three round gifts scaled to the goal (10, 25, 50 for a 5,000 goal; 2,000, 5,000,
    10,000 for a 1,000,000 yen goal), so a campaign works before anyone sets them."""
    unit = 10 ** exponent(currency)
    base = max(Decimal(goal_minor) / unit / 500, Decimal(1))
    magnitude = Decimal(10) ** (len(str(int(base))) - 1)
    step = (base / magnitude).to_integral_value(rounding=ROUND_FLOOR) * magnitude
    return [int(step * factor * unit) for factor in (1, Decimal("2.5"), 5)]
