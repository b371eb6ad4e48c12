"""Pages that answer htmx with a fragment and browsers with the whole page."""

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """htmx asking for part of the page; a history restore (Back after a cache miss) needs the whole page."""
    details = getattr(request, "htmx", None)
    return bool(details) and not details.history_restore_request  # type: ignore[union-attr]
