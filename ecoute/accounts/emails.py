"""The e-mails of accounts: invitations, password resets, login links — in the reader's language."""

from typing import Any

from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation


def site_url(request: HttpRequest) -> str:
    """The address of the site as the person asking sees it, to build the links of e-mails."""
    return f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"


def send_account_email(template: str, to: str, language: str, context: dict[str, Any]) -> None:
    """Render accounts/email/`template`.txt and its subject in `language` and send it to `to`.

    Raises OSError (smtplib's errors among them) when the mail server cannot take the message.
    """
    with translation.override(language):
        subject = "".join(render_to_string(f"accounts/email/{template}_subject.txt", context).splitlines())
        body = render_to_string(f"accounts/email/{template}.txt", context)
    send_mail(subject, body, None, [to])
