"""The organization's retention rules as a form."""

from typing import ClassVar

from django import forms

from ecoute.retention.models import RetentionRules

RULE_FIELDS = [
    "lost_gap_multiple",
    "lost_min_days",
    "at_risk_gap_multiple",
    "at_risk_min_days",
    "new_days",
    "lost_p_alive",
]


class RetentionRulesForm(forms.ModelForm[RetentionRules]):
    class Meta:
        model = RetentionRules
        fields: ClassVar = RULE_FIELDS
        localized_fields: ClassVar = ["lost_gap_multiple", "at_risk_gap_multiple", "lost_p_alive"]
