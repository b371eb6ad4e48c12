"""Import pages: upload, check the column mapping, run in the background, follow, resume, download rejects."""

from pathlib import Path
from typing import cast

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from ecoute.accounts.decorators import member_required
from ecoute.accounts.models import User
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.customers.actions import (
    claim_import_job,
    create_import_job,
    read_headers_and_preview,
    resume_import_job,
    store_upload,
    valid_rows_can_be_imported,
)
from ecoute.customers.forms import ImportMappingForm, ImportUploadForm, MappingRow
from ecoute.customers.import_undo import UndoRefusedError, plan_undo, undo_import
from ecoute.customers.importing.crm_fields import KEPT_KIND, crm_field_columns
from ecoute.customers.importing.fields import FIELDS_BY_KIND
from ecoute.customers.importing.kind_guess import looks_like
from ecoute.customers.importing.mapping import CRM_FIELD, guess_columns, missing_fields, resolve_mapping
from ecoute.customers.importing.problems import ImportFileError, ImportNote, RowProblem
from ecoute.customers.importing.reading import reading_notes
from ecoute.customers.models import ImportJob, ImportKind, ImportStatus
from ecoute.customers.tasks import enqueue_resumed_import, run_import_task
from ecoute.lib.htmx import wants_fragment

PREVIEW_ROWS = 10


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # member_required lets only logged-in people through


@member_required("import")
def import_list(request: HttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.for_org(current_organization(request)).select_related("created_by")[:100]
    return render(request, "customers/import_list.html", {"jobs": jobs})


@member_required("import")
def import_new(request: HttpRequest) -> HttpResponse:
    too_large = int(request.META.get("CONTENT_LENGTH") or 0) > settings.IMPORT_MAX_FILE_SIZE + 65536
    if request.method == "POST" and too_large:
        message = _("The file is larger than the limit of %(limit)s.") % {
            "limit": filesizeformat(settings.IMPORT_MAX_FILE_SIZE)
        }
        return render(
            request, "customers/import_new.html", {"form": ImportUploadForm(), "error": message}, status=413
        )
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = store_upload(current_organization(request), upload)
        job = create_import_job(
            current_organization(request),
            form.cleaned_data["kind"],
            path,
            original_name=upload.name,
            created_by=_user(request),
            reading_options=form.reading_options(),
        )
        if not read_headers_and_preview(job, PREVIEW_ROWS):
            return redirect("customers:import_detail", job_id=job.pk)
        return redirect("customers:import_mapping", job_id=job.pk)
    return render(request, "customers/import_new.html", {"form": form}, status=400 if form.errors else 200)


# A file may have hundreds of columns, each with the same select: compressed, the page is a tenth of its size.
# (Django masks the CSRF token anew in each answer, which keeps compression from revealing it.)
@gzip_page
@member_required("import")
def import_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    if job.status != ImportStatus.DRAFT:
        return redirect("customers:import_detail", job_id=job.pk)
    fields = FIELDS_BY_KIND[job.kind]
    headers, preview = job.headers, job.preview
    columns = guess_columns(headers, fields)
    guessed = {i: spec.name for i, spec in columns.items()}
    guessed |= dict.fromkeys(crm_field_columns(headers, job.kind, set(columns), rows=preview), CRM_FIELD)
    missing = ", ".join(str(spec.label) for spec in missing_fields(columns, fields))
    form = ImportMappingForm(
        request.POST or None,
        headers=headers,
        fields=fields,
        initial_mapping=guessed,
        preview=preview,
        crm_fields=job.kind == KEPT_KIND,
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen_mapping()
        try:
            resolve_mapping(headers, fields, chosen=chosen)
        except ImportFileError as error:
            form.add_error(None, error.describe())
        else:
            changes = {
                "mapping": chosen,
                "skip_invalid": form.cleaned_data["skip_invalid"],
                "dry_run": "dry_run" in request.POST,
            }
            if claim_import_job(job, ImportStatus.DRAFT, **changes):
                transaction.on_commit(lambda: run_import_task.enqueue(job.pk))
            return redirect("customers:import_detail", job_id=job.pk)
    return render(
        request,
        "customers/import_mapping.html",
        {
            "job": job,
            "form": form,
            "columns": _mapping_rows(form, guessed),
            "missing": missing,
            "preview": preview,
            "headers": headers,
            "fields": fields,
            "reading_notes": [note.describe() for note in reading_notes(job.reading)],
            "looks_like": looks_like(headers, preview, job.kind),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@member_required("import")
def import_switch_kind(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import an uploaded file as another kind, keeping the upload: back to its columns, guessed anew."""
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    kind = request.POST.get("kind", "")
    if kind not in ImportKind.values:
        return HttpResponseBadRequest(_("Unknown kind of import."))
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.DRAFT).update(kind=kind, mapping={})
    return redirect("customers:import_mapping", job_id=job.pk)


def _mapping_rows(form: ImportMappingForm, guessed: dict[int, str]) -> list[MappingRow]:
    """One row per column of the file. A file may have hundreds of columns, each with the same select: its
    options are written once per field that can be chosen, not once per column by the form's widgets."""
    options = form.select_options()
    preview = form.preview
    rows = []
    for index, label in enumerate(form.column_labels()):
        name = f"column_{index}"
        chosen = form.data.get(name, "") if form.is_bound else guessed.get(index, "")
        rows.append(
            MappingRow(
                name=name,
                label=label,
                options=options.get(str(chosen), options[""]),
                values=[row[index] for row in preview[:4] if index < len(row) and row[index]],
            )
        )
    return rows


@vary_on_headers("HX-Request", "HX-History-Restore-Request")
@member_required("import")
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    problems = [RowProblem.from_dict(e) for e in job.errors if "line" in e][:200]
    template = (
        "customers/_import_progress.html" if wants_fragment(request) else "customers/import_detail.html"
    )
    # Said again in the reader's language, from their code and parameters.
    notes = [ImportNote(note["code"], note.get("params", {})).describe() for note in job.notes]
    context = {
        "job": job,
        "problems": problems,
        "reading_notes": [note.describe() for note in reading_notes(job.reading)],
        "notes": notes,
        "valid_rows_can_be_imported": valid_rows_can_be_imported(job),
        # A dry run that found bad rows stops before counting the others' keys: its valid rows.
        "valid_rows": job.rows_total - job.rows_rejected,
    }
    return render(request, template, context)


@require_POST
@member_required("import")
def import_run(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import for real a file that a dry run has checked."""
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    if job.file_is_kept and claim_import_job(job, ImportStatus.CHECKED, dry_run=False, attempts=0):
        transaction.on_commit(lambda: run_import_task.enqueue(job.pk))
    return redirect("customers:import_detail", job_id=job.pk)


@require_POST
@member_required("import")
def import_valid_rows(request: HttpRequest, job_id: int) -> HttpResponse:
    """After a dry run that found bad rows: import the valid ones from the same upload, the others set
    aside in the rejects file."""
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    if valid_rows_can_be_imported(job) and claim_import_job(
        job, ImportStatus.FAILED, dry_run=False, skip_invalid=True, attempts=0
    ):
        transaction.on_commit(lambda: run_import_task.enqueue(job.pk))
    return redirect("customers:import_detail", job_id=job.pk)


@member_required("import")
def import_undo(request: HttpRequest, job_id: int) -> HttpResponse:
    """What undoing an import would remove and put back, and what it cannot (GET); undo it (POST)."""
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    if request.method == "POST":
        try:
            undo_import(job, by=_user(request))
        except UndoRefusedError:
            pass  # said again below, as it stands now
        else:
            return redirect("customers:import_detail", job_id=job.pk)
    plan = plan_undo(job)
    status = 409 if request.method == "POST" or not plan.possible else 200
    return render(request, "customers/import_undo.html", {"job": job, "plan": plan}, status=status)


@require_POST
@member_required("import")
def import_resume(request: HttpRequest, job_id: int) -> HttpResponse:
    """Run again an import whose process stopped: the rows already written are updated, not duplicated."""
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    if job.file_is_kept and resume_import_job(job):
        transaction.on_commit(lambda: enqueue_resumed_import(job.pk))
    return redirect("customers:import_detail", job_id=job.pk)


@member_required("import")
def import_rejects(request: HttpRequest, job_id: int) -> FileResponse:
    job = get_for_org_or_404(ImportJob, current_organization(request), pk=job_id)
    path = Path(job.rejects_path) if job.rejects_path else None
    if path is None or not path.is_file():
        raise Http404
    with translation.override(job.organization.language):  # as the file's own column of reasons
        name = _("%(name)s-rejects.csv") % {"name": Path(job.original_name).stem}
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")
