import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.login_limits import Verdict, attempt_login, check_current_password
from ecoute.accounts.models import ApiKeyScope, Membership, Role, User


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        result = attempt_login(self.request, email, password)
        if result.verdict is not Verdict.ACCEPTED:
            raise forms.ValidationError(LOGIN_REFUSALS[result.verdict], code=str(result.verdict))
        self.user = result.user
        return data


LOGIN_REFUSALS = {
    Verdict.WRONG: _("This e-mail and password do not match an account."),
    Verdict.BLOCKED: _("Too many failed attempts. Wait a few minutes before trying again."),
    Verdict.CONFIRM_BY_EMAIL: _(
        "For this account's safety, logging in from a new place needs a link sent by e-mail. If the "
        "password was right, the link is on its way to the account's address: follow it within 15 minutes."
    ),
}


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The current password is checked within the limits of logins."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = str(self.cleaned_data["old_password"])
        verdict = check_current_password(self.request, self.user, old_password)
        if verdict is Verdict.BLOCKED:
            raise forms.ValidationError(LOGIN_REFUSALS[Verdict.BLOCKED], code="rate_limited")
        if verdict is not Verdict.ACCEPTED:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class MemberPasswordResetForm(PasswordResetForm):
    """Send the link to every active account, also those whose owner never chose a password.

    Django skips accounts with an unusable password; accounts the operator made without a password
    (`ecoute user create` without --password) have one, and this form is their way in.
    """

    def get_users(self, email: str) -> Iterator[User]:
        for user in User.objects.filter(email__iexact=email, is_active=True):
            # As Django does: the database's case-insensitive match may be looser than Unicode's.
            if casefolded_email(user.email) == casefolded_email(email):
                yield user


def casefolded_email(text: str) -> str:
    """The form in which two spellings of one address are equal, as Django compares them."""
    return unicodedata.normalize("NFKC", text).casefold()


class MemberAddForm(forms.Form):
    """Invite someone: they give their own name when they accept."""

    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args: Any, by: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the roles `by` may give; `invite` refuses the others anyway.
        self.fields["role"].choices = by.grantable_roles()  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class InvitationAcceptForm(forms.Form):
    """A person without a password chooses one to accept an invitation."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            person = User(
                email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                validate_password(password, person)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class MemberRoleForm(forms.Form):
    # Any role here; whether the person acting may give it is `change_role`'s decision.
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses this key, e.g. “CRM sync”.")
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiKeyScope.choices,
        initial=ApiKeyScope.READ,
        help_text=_("Give write access only to what sends data to Écoute."),
    )
