"""The e-mail telling a person that the list they exported is ready, sent through the outbox in their
language, with the address of their exports' page (never the file itself: it holds personal data and
downloads only for a logged-in member)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.customers.export_job import ExportJob
from ecoute.lib.quantities import grouped
from ecoute.messaging.actions import queue_message
from ecoute.messaging.models import MessagePurpose


def queue_ready_notice(job: ExportJob) -> None:
    """Queue the notice once per export; nothing for an export whose person's account is gone."""
    user = job.requested_by
    if user is None or not user.email or job.expires_at is None:
        return
    language = user.language or job.language
    with translation.override(language):
        expires = formats.date_format(
            timezone.localtime(job.expires_at, ZoneInfo(job.time_zone)), "DATETIME_FORMAT", use_l10n=True
        )
        rows = ngettext("%(count)s row", "%(count)s rows", job.rows_written) % {
            "count": grouped(job.rows_written)
        }
        subject = _("Your export “%(title)s” is ready") % {"title": job.title}
        body = _(
            "Hello,\n\nThe list “%(title)s” you exported (%(rows)s, %(format)s) is ready. Download it from "
            "your exports until %(expires)s:\n%(url)s\n\nThe file holds personal data: keep it safe, and "
            "delete it once you no longer need it.\n"
        ) % {
            "title": job.title,
            "rows": rows,
            "format": job.file_format.upper(),
            "expires": expires,
            "url": settings.SITE_URL + reverse("customers:export_list"),
        }
    queue_message(
        job.organization,
        to_address=user.email,
        subject=subject,
        text_body=body,
        purpose=MessagePurpose.NOTICE,
        idempotency_key=f"export-ready:{job.pk}",
        language=language,
    )
