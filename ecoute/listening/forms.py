from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecoute.listening.models import MAX_KEY_CRITERIA, Criterion


class CriterionForm(forms.ModelForm[Criterion]):
    """A criterion's names, description, importance, target and key mark; its code only when new."""

    class Meta:
        model = Criterion
        fields: ClassVar = [
            "code",
            "name_fr",
            "name_en",
            "description_fr",
            "description_en",
            "importance",
            "target_score",
            "is_key",
        ]
        localized_fields: ClassVar = ["target_score"]
        widgets: ClassVar = {
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts: ClassVar = {
            "code": _("Letters, digits, - and _; used in survey files. It cannot change later."),
            "is_key": _("One of the company's key three criteria."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        taken = Criterion.objects.filter(organization=self.instance.organization, code=code)
        if taken.exists():
            raise forms.ValidationError(_("Another criterion already has this code."))
        return code

    def clean_is_key(self) -> bool:
        is_key: bool = self.cleaned_data["is_key"]
        others = Criterion.objects.filter(organization=self.instance.organization, is_key=True)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if is_key and others.count() >= MAX_KEY_CRITERIA:
            raise forms.ValidationError(too_many_key_criteria())
        return is_key


def too_many_key_criteria() -> str:
    return ngettext(
        "At most %(count)d criterion can be key: unmark another one first.",
        "At most %(count)d criteria can be key: unmark another one first.",
        MAX_KEY_CRITERIA,
    ) % {"count": MAX_KEY_CRITERIA}
