"""{% load quantities %}: money as the reader writes it, the same on every page."""

from decimal import Decimal

from django import template

from ecoute.lib.quantities import money as format_money

register = template.Library()


@register.filter
def money(amount: int | float | Decimal | None, currency: str = "EUR") -> str:
    """{{ amount|money:currency }} → "1 249,90 €"; nothing for no amount."""
    return "" if amount is None else format_money(amount, currency or "EUR")


@register.filter
def whole_money(amount: int | float | Decimal | None, currency: str = "EUR") -> str:
    """{{ revenue|whole_money:currency }} → "1 564 996 €", for totals where cents are noise."""
    return "" if amount is None else format_money(amount, currency or "EUR", decimals=0)
