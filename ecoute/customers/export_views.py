"""The exports' page: large lists prepared in the background, followed while under way, downloaded when
ready. A person sees and downloads their own; owners and administrators, everyone's in the organization;
anyone else, and any other organization, gets 404."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from ecoute.accounts.decorators import member_required
from ecoute.accounts.models import Membership
from ecoute.customers.export_job import ExportJob
from ecoute.customers.export_runs import record_download
from ecoute.lib.exports import CONTENT_TYPES, ExportFormat
from ecoute.lib.htmx import wants_fragment

SHOWN = 100


def visible_exports(membership: Membership) -> QuerySet[ExportJob]:
    """The exports `membership`'s person may see: theirs, or all of the organization's for those who
    manage its members."""
    jobs = ExportJob.objects.filter(organization=membership.organization)
    if not membership.can("manage_members"):
        jobs = jobs.filter(requested_by=membership.user)
    return jobs


@vary_on_headers("HX-Request")
@member_required("view_customers")
def export_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    jobs = list(
        visible_exports(membership).select_related("requested_by").order_by("-created_at", "-id")[:SHOWN]
    )
    context = {
        "jobs": jobs,
        "under_way": any(job.is_under_way for job in jobs),
        "everyone": membership.can("manage_members"),
        "export_days": settings.EXPORT_FILE_DAYS,
    }
    template = "customers/_export_rows.html" if wants_fragment(request) else "customers/export_list.html"
    return render(request, template, context)


@member_required("view_customers")
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    """The file of a ready export, recorded in the audit log; 404 when it is not one's to download, not
    ready, or past its date."""
    membership = request.membership  # type: ignore[attr-defined]
    job = visible_exports(membership).filter(pk=export_id).first()
    path = job.path if job is not None and job.is_downloadable else None
    if job is None or path is None or not path.is_file():
        raise Http404
    handle = path.open("rb")
    record_download(membership, job)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.download_name,
        content_type=CONTENT_TYPES[ExportFormat(job.file_format)],
    )
