"""The campaign form: its audience (statuses, store, region, and the filters a campaign started from
the lost customers page carries), its actions and its control group."""

from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.accounts.models import Organization
from ecoute.listening.models import Survey, SurveyStatus
from ecoute.listening.personalize import check_placeholders
from ecoute.listening.queries import known_customer_fields
from ecoute.retention.campaign_audience import TARGETED, CampaignAudience, CampaignAudienceError
from ecoute.retention.campaign_models import CallOutcome, Campaign
from ecoute.retention.models import ActivityStatus

AUDIENCE_FIELDS = ("name", "statuses", "store", "region", "narrowing", "control_share", "window_days")
ACTION_FIELDS = ("email_enabled", "calls_enabled", "survey", "program_enabled")
TEXT_FIELDS = ("email_subject_fr", "email_body_fr", "email_subject_en", "email_body_en")


class CampaignForm(forms.ModelForm[Campaign]):
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Customers"),
        choices=[(s, ActivityStatus(s).label) for s in TARGETED],
        widget=forms.CheckboxSelectMultiple,
        initial=list(TARGETED),
    )
    store = forms.CharField(
        label=gettext_lazy("Store of their last purchase"), required=False, max_length=100
    )
    region = forms.CharField(label=gettext_lazy("Region"), required=False, max_length=100)
    # The lost customers page's other filters (value, recency, NPS level…), as a query string.
    narrowing = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    class Meta:
        model = Campaign
        fields: ClassVar = [
            "name",
            "control_share",
            "window_days",
            "email_enabled",
            *TEXT_FIELDS,
            "calls_enabled",
            "call_script",
            "survey",
            "program_enabled",
            "program_url",
        ]
        localized_fields: ClassVar = ["control_share"]
        widgets: ClassVar = {
            "email_body_fr": forms.Textarea(attrs={"rows": 5}),
            "email_body_en": forms.Textarea(attrs={"rows": 5}),
            "call_script": forms.Textarea(attrs={"rows": 4}),
        }

    _audience: CampaignAudience

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization
        survey = self.fields["survey"]
        survey.queryset = Survey.objects.for_org(organization).filter(status=SurveyStatus.ACTIVE)  # type: ignore[attr-defined]
        survey.required = False
        self.fields["control_share"].help_text = _("Share held out as a control group: 0.15 is 15 %.")
        self.fields["email_body_fr"].help_text = _(
            "CRM fields in braces with a fallback: Hello {first_name|dear customer}."
        )
        if self.instance.pk:
            self.initial.update(audience_initial(CampaignAudience.from_json(self.instance.audience)))

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name") or "").strip()
        # The organization is not a field of the form, so Django's own check of the unique
        # (organization, name) constraint does not run: a second campaign of that name would fail
        # only when written.
        taken = Campaign.objects.for_org(self.organization).filter(name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("A campaign of this name exists already: choose another name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._clean_audience(cleaned)
        if not any(cleaned.get(name) for name in ACTION_FIELDS):
            raise forms.ValidationError(_("Choose at least one action."))
        if cleaned.get("email_enabled"):
            for name in ("email_subject_fr", "email_body_fr"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, _("The e-mail needs a subject and a text in French."))
            english = [
                name for name in ("email_subject_en", "email_body_en") if (cleaned.get(name) or "").strip()
            ]
            if len(english) == 1:
                missing = "email_body_en" if english == ["email_subject_en"] else "email_subject_en"
                self.add_error(
                    missing,
                    _(
                        "The English e-mail needs a subject and a text, or neither (English readers "
                        "then get the French one)."
                    ),
                )
        known = known_customer_fields(self.organization)
        for name in TEXT_FIELDS:
            for problem in check_placeholders(cleaned.get(name) or "", known):
                self.add_error(name, problem)
        if cleaned.get("program_enabled") and not cleaned.get("program_url"):
            self.add_error("program_url", _("Give the address where customers join the programme."))
        return cleaned

    def audience_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in AUDIENCE_FIELDS]

    def action_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name not in AUDIENCE_FIELDS]

    def clean_narrowing(self) -> dict[str, str]:
        """The lost customers page's filters, read once from the query string the form carries."""
        return dict(parse_qsl(str(self.cleaned_data.get("narrowing") or "")))

    def _clean_audience(self, cleaned: dict[str, Any]) -> None:
        if "statuses" not in cleaned or "narrowing" not in cleaned:
            return  # already refused: its field says why
        try:
            self._audience = CampaignAudience.from_fields(
                cleaned["statuses"], cleaned.get("store", ""), cleaned.get("region", ""), cleaned["narrowing"]
            )
        except CampaignAudienceError as error:
            self.add_error(None, str(error))

    def audience(self) -> CampaignAudience:
        """The audience the valid form describes (read in clean())."""
        return self._audience

    def save(self, commit: bool = True) -> Campaign:
        self.instance.audience = self.audience().to_json()
        return super().save(commit)


def audience_from(statuses: list[str], store: str, region: str, narrowing: str) -> CampaignAudience:
    """The audience the form's fields describe (`narrowing` as the query string the form carries)."""
    return CampaignAudience.from_fields(statuses, store, region, dict(parse_qsl(narrowing)))


def audience_initial(audience: CampaignAudience) -> dict[str, Any]:
    """The form's audience fields showing `audience`: a campaign's, or the lost customers page's segment."""
    return {
        "statuses": list(audience.statuses),
        "store": audience.store,
        "region": audience.region,
        "narrowing": urlencode(audience.narrowing()),
    }


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = CallOutcome.choices  # type: ignore[attr-defined]
