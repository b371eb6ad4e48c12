from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ecoute.accounts.login_limits import Verdict, attempt_login
from ecoute.accounts.models import User


class EmailBackend(ModelBackend):
    """Log in by e-mail address, case-insensitively, within the limits of `login_limits`.

    The limits live here rather than in a form so that every way in (our login page, the support
    admin's, anything calling `authenticate`) counts and respects them.
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
        result = attempt_login(request, email, password)
        if result.verdict is Verdict.WRONG:
            return None
        if result.verdict is not Verdict.ACCEPTED:
            raise PermissionDenied  # makes `authenticate` stop and refuse
        return result.user
