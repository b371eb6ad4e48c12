"""Every named URL pattern of the product, read from Django's resolver, for the tests that walk them all."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def named_patterns(urlconf: str | None = None) -> Iterator[tuple[str, str, list[str]]]:
    """(namespaced name, route, the names of its parameters) of each named pattern."""
    for name, route, pattern in _walk(get_resolver(urlconf), "", ""):
        converters = getattr(pattern.pattern, "converters", {})
        yield name, route, list(converters)
