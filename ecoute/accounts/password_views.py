"""Forgotten passwords (a link by e-mail, within limits) and password changes."""

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.accounts.emails import site_url
from ecoute.accounts.forms import MemberPasswordResetForm, PasswordChangeForm, casefolded_email
from ecoute.accounts.login_limits import client_network, client_network_address, forget_failed_logins
from ecoute.accounts.tasks import send_password_reset_task
from ecoute.lib.rate_limits import count_request


class PasswordResetView(auth_views.PasswordResetView):
    """Send a link to choose a new password, within limits per address and per account.

    Every address typed gets the same answer, whether or not it has an account and whether or not
    its limit is reached; the e-mail leaves in the background, so the time taken tells nothing either.
    """

    form_class = MemberPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: MemberPasswordResetForm) -> HttpResponse:  # type: ignore[override]
        address = client_network(self.request)
        window = settings.PASSWORD_RESET_WINDOW
        by_address = count_request(
            "password_reset:address", address, limit=settings.PASSWORD_RESET_ADDRESS_LIMIT, window=window
        )
        if not by_address.allowed:
            minutes = max(1, by_address.retry_after // 60)
            form.add_error(
                None,
                ngettext(
                    "Too many requests from your connection: try again in %(minutes)d minute.",
                    "Too many requests from your connection: try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"]
        # Counted for the account, however the address is capitalised: each spelling reaches it.
        by_account = count_request(
            "password_reset:account",
            casefolded_email(email),
            limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT,
            window=window,
        )
        if by_account.allowed:
            base_url, language = site_url(self.request), translation.get_language()
            for user in form.get_users(email):
                transaction.on_commit(partial(send_password_reset_task.enqueue, user.pk, base_url, language))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a password with the link of a reset."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        # Whoever followed the link owns the address: their own failures here no longer count.
        forget_failed_logins(form.user.email, client_network_address(self.request))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password with the current one; this session stays, the others end."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("customers:overview")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: Any) -> HttpResponse:
        # Django keeps this session (update_session_auth_hash); the others no longer match the password.
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed. Your other sessions are logged out."))
        return response
