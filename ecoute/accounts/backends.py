from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ecoute.accounts.login_limits import (
    client_address,
    forget_failed_logins,
    is_login_blocked,
    record_failed_login,
)
from ecoute.accounts.models import User


class EmailBackend(ModelBackend):
    """Log in by e-mail address, case-insensitively, within the limit of failed attempts.

    The limit lives here rather than in a form so that every way in (our login page, the support
    admin's, anything calling `authenticate`) counts and respects it.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = (kwargs.get("email") or username or "").strip().lower()
        if not email or password is None:
            return None
        address = client_address(request)
        if is_login_blocked(email, address):
            # Makes `authenticate` stop and refuse, without trying the password.
            raise PermissionDenied
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            User().set_password(password)  # same time whether or not the account exists
        elif user.check_password(password) and self.user_can_authenticate(user):
            forget_failed_logins(email)
            return user
        record_failed_login(email, address)
        return None
