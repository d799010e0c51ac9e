"""Showing integer minor units as money a person reads: 123450 USD → "$1,234.50", 1200 JPY → "¥1,200".

Amounts are stored in the currency's smallest unit, as Stripe counts them, so how many
digits follow the decimal point depends on the currency (ISO 4217 exponents).
"""

from __future__ import annotations

# Stripe's zero-decimal currencies: an amount of 1200 JPY is ¥1,200, not ¥12.00.
_ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})

# Only symbols the PDF's built-in fonts can draw (WinAnsi); every other currency shows its code.
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}


def minor_unit_exponent(currency: str) -> int:
    code = currency.upper()
    if code in _ZERO_DECIMAL:
        return 0
    if code in _THREE_DECIMAL:
        return 3
    return 2


def format_money(amount: int, currency: str) -> str:
    code = currency.upper()
    exponent = minor_unit_exponent(code)
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**exponent) if exponent else (abs(amount), 0)
    number = f"{whole:,}" + (f".{fraction:0{exponent}d}" if exponent else "")
    symbol = _SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code}"
