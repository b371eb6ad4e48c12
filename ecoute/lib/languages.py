"""A language as stored (a code, however a CRM wrote it: "fr", "FR", "pt_BR", "fr-be") → its name in the
reader's language ("Français" / "French"), which is what is shown."""

from django.utils.translation import get_language_info


def language_name(code: str) -> str:
    """The name of the language of `code` in the active language; the code as written if it is unknown."""
    tag = code.strip().lower().replace("_", "-")
    if not tag:
        return ""
    try:
        return str(get_language_info(tag)["name_translated"])
    except KeyError:
        return code
