"""Read-side questions about surveys: whose audiences overlap."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ecoute.listening.audiences import AudienceError, audience_customers
from ecoute.listening.models import Survey, SurveyStatus


@dataclass(frozen=True)
class Overlap:
    survey: Survey
    customers: int


def audience_overlaps(survey: Survey, now: datetime | None = None) -> list[Overlap]:
    """The organization's other active surveys that would ask some of the same customers now, with how
    many customers both audiences hold (one counting query per other active survey)."""
    now = now or timezone.now()
    ours = audience_customers(survey, now).values("pk")
    found = []
    others = (
        Survey.objects.for_org(survey.organization).filter(status=SurveyStatus.ACTIVE).exclude(pk=survey.pk)
    )
    for other in others.select_related("organization"):
        try:
            theirs = audience_customers(other, now)
        except AudienceError:
            continue  # an active survey whose audience no longer reads asks nobody
        if shared := theirs.filter(pk__in=ours).count():
            found.append(Overlap(other, shared))
    return found
