"""Languages in templates: `{{ customer.language|language_name }}`."""

from django import template

from ecoute.lib.languages import language_name as name_of_language

register = template.Library()


@register.filter
def language_name(code: str | None) -> str:
    return name_of_language(code or "")
