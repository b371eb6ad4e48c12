"""The organization's API keys: create one (its secret shown once, in the answer), revoke one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecoute.accounts.decorators import member_required
from ecoute.accounts.forms import ApiKeyForm
from ecoute.accounts.models import ApiKey, User
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404


@member_required("manage_api_keys")
def api_keys(request: HttpRequest) -> HttpResponse:
    org = current_organization(request)
    form = ApiKeyForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        creator = request.user if isinstance(request.user, User) else None
        _key, new_secret = ApiKey.issue(
            org, form.cleaned_data["name"], created_by=creator, scope=form.cleaned_data["scope"]
        )
        # The secret is in this answer only (sent with no-store), never in the session or the database.
        form = ApiKeyForm()
    keys = ApiKey.objects.filter(organization=org).select_related("created_by")
    usable = set(keys.usable().values_list("pk", flat=True))
    return render(
        request,
        "accounts/api_keys.html",
        {"form": form, "rows": [(key, key.pk in usable) for key in keys], "new_secret": new_secret},
    )


@require_POST
@member_required("manage_api_keys")
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_for_org_or_404(ApiKey, current_organization(request), pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("accounts:api_keys")
