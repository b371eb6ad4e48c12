"""E-mails sent in the background, so that how long a page takes tells nothing about an account."""

from django.contrib.auth.tokens import default_token_generator
from django.tasks import task
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ecoute.accounts.emails import send_account_email
from ecoute.accounts.login_models import LOGIN_LINK_MAX_AGE, LoginLink
from ecoute.accounts.models import User


@task()
def send_password_reset_task(user_id: int, base_url: str, language: str) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    context = {
        "base_url": base_url,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    send_account_email("password_reset", user.email, user.language or language, context)


@task()
def send_login_link_task(user_id: int, base_url: str, language: str) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    _link, token = LoginLink.issue(user.pk)
    context = {"base_url": base_url, "token": token, "minutes": int(LOGIN_LINK_MAX_AGE.total_seconds() // 60)}
    send_account_email("login_link", user.email, user.language or language, context)
