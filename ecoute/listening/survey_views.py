"""The survey builder: the list of surveys, a new one (blank or from a shipped template), import and
export as JSON, a survey's page, its settings and questions, and the live preview.

Every change is written into the survey's JSON document and saved by `import_survey`, so that the
pages, the file and the command refuse the same things with the same messages.
"""

import json
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecoute.accounts.decorators import member_required
from ecoute.accounts.models import Organization
from ecoute.accounts.tenancy import current_organization, get_for_org_or_404
from ecoute.listening.actions import import_survey
from ecoute.listening.models import Answer, Criterion, Question, Response, Survey
from ecoute.listening.queries import known_customer_fields
from ecoute.listening.survey_files import SurveyFileError, export_survey, parse_json
from ecoute.listening.survey_forms import (
    DocumentForm,
    NewSurveyForm,
    QuestionForm,
    SurveyImportForm,
    SurveySettingsForm,
    describe,
    slug_candidates,
)
from ecoute.listening.survey_preview import preview

CHANGED_MEANWHILE = gettext_noop("The survey was changed by someone else at the same moment: try again.")


def optional_url(name: str, *args: object) -> str | None:
    """The address of a page that may not exist yet in this version (None then)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _count(model: type[Response] | type[Question]) -> Coalesce:
    counted = model.objects.filter(survey=OuterRef("pk")).values("survey").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _surveys(org: Organization) -> Any:
    return Survey.objects.for_org(org).annotate(
        question_count=_count(Question), response_count=_count(Response)
    )


@member_required("view_results")
def survey_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


def _list(request: HttpRequest, import_form: SurveyImportForm | None = None) -> HttpResponse:
    org = current_organization(request)
    context = {"surveys": _surveys(org), "import_form": import_form or SurveyImportForm()}
    return render(request, "listening/survey_list.html", context, status=400 if import_form else 200)


@member_required("manage_surveys")
def survey_new(request: HttpRequest) -> HttpResponse:
    form = NewSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        document = form.document()
        try:
            survey = _create(current_organization(request), document)
        except SurveyFileError as error:
            for problem in error.problems:
                form.add_error(None, describe(problem, document))
        else:
            messages.success(request, _("The survey “%(name)s” is created.") % {"name": survey.name})
            return redirect("listening:survey_detail", survey.pk)
    return render(request, "listening/survey_new.html", {"form": form}, status=400 if form.errors else 200)


@transaction.atomic
def _create(org: Organization, document: dict[str, Any]) -> Survey:
    """A new survey under a slug of its own: taking the slug first means no import can reach another."""
    for slug in slug_candidates(document["slug"]):
        try:
            with transaction.atomic():
                Survey.objects.create(organization=org, slug=slug, name=document["name"])
        except IntegrityError:
            continue
        return import_survey(org, {**document, "slug": slug})[0]
    raise SurveyFileError([])  # pragma: no cover - a hundred surveys of the same name


@member_required("manage_surveys")
@require_POST
def survey_import(request: HttpRequest) -> HttpResponse:
    form = SurveyImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list(request, import_form=form)
    try:
        survey, created = import_survey(current_organization(request), parse_json(form.cleaned_data["file"]))
    except SurveyFileError as error:
        form.add_error(None, _("The file was not imported: nothing was changed."))
        for problem in error.problems:
            form.add_error("file", str(problem))
        return _list(request, import_form=form)
    except IntegrityError:
        form.add_error("file", _(CHANGED_MEANWHILE))
        return _list(request, import_form=form)
    done = _("The survey “%(name)s” is created.") if created else _("The survey “%(name)s” is updated.")
    messages.success(request, done % {"name": survey.name})
    return redirect("listening:survey_detail", survey.pk)


@member_required("view_results")
def survey_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    text = json.dumps(export_survey(survey), ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}.json"'
    return response


def _answered_codes(survey: Survey) -> set[str]:
    return set(Answer.objects.filter(question__survey=survey).values_list("question__code", flat=True))


def _preview_context(request: HttpRequest, survey: Survey, document: dict[str, Any]) -> dict[str, Any]:
    asked = request.POST.get("preview_language") or (get_language() or "fr")[:2]
    language = asked if asked in survey.languages else survey.languages[0]
    return {"survey": survey, "preview": preview(document, language)}


@member_required("view_results")
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    answered = _answered_codes(survey)
    questions = list(survey.questions.select_related("criterion").order_by("position", "id"))
    context = {
        **_preview_context(request, survey, export_survey(survey)),
        "questions": [(question, question.code in answered) for question in questions],
        "response_count": survey.responses.count(),
        "can_edit": request.membership.can("manage_surveys"),  # type: ignore[attr-defined]
        "elsewhere": [
            (_("Results"), optional_url("listening:survey_results", survey.pk)),
            (_("Invitations / plan a wave"), optional_url("listening:survey_plan", survey.pk)),
            (_("Activate"), optional_url("listening:survey_activate", survey.pk)),
            (_("Public links"), optional_url("listening:public_links", survey.pk)),
        ],
    }
    return render(request, "listening/survey_detail.html", context)


def _save(form: DocumentForm, survey: Survey, document: dict[str, Any]) -> bool:
    try:
        import_survey(survey.organization, document)
    except SurveyFileError as error:
        form.add_problems(error.problems, document)
        return False
    except IntegrityError:
        form.add_error(None, _(CHANGED_MEANWHILE))
        return False
    return True


@member_required("manage_surveys")
def survey_settings(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    form = SurveySettingsForm(request.POST or None, survey=survey)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, survey, form.document(export_survey(survey)))
    ):
        messages.success(request, _("The survey “%(name)s” is saved.") % {"name": form.cleaned_data["name"]})
        return redirect("listening:survey_detail", survey.pk)
    document = form.document(export_survey(survey)) if form.is_bound else export_survey(survey)
    context = {**_preview_context(request, survey, document), "form": form, "part": "settings"}
    return render(request, "listening/survey_settings.html", context, status=400 if form.errors else 200)


def _question_form(request: HttpRequest, survey: Survey, question: Question | None) -> QuestionForm:
    document = export_survey(survey)
    codes = [entry["code"] for entry in document["questions"]]
    return QuestionForm(
        request.POST or None,
        document=document,
        index=codes.index(question.code) if question else len(codes),
        criteria=list(Criterion.objects.filter(organization_id=survey.organization_id)),
        answered=question is not None and question.code in _answered_codes(survey),
    )


@member_required("manage_surveys")
def question_new(request: HttpRequest, survey_id: int) -> HttpResponse:
    return _edit_question(request, get_for_org_or_404(Survey, current_organization(request), pk=survey_id))


@member_required("manage_surveys")
def question_edit(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    return _edit_question(request, survey, get_object_or_404(Question, survey=survey, pk=question_id))


def _edit_question(request: HttpRequest, survey: Survey, question: Question | None = None) -> HttpResponse:
    form = _question_form(request, survey, question)
    document = export_survey(survey)
    if request.method == "POST" and form.is_valid() and _save(form, survey, form.document(document)):
        messages.success(request, _("The question “%(code)s” is saved.") % {"code": form.entry()["code"]})
        return redirect(reverse("listening:survey_detail", args=[survey.pk]) + "#questions")
    context = {
        **_preview_context(request, survey, form.document(document) if form.is_bound else document),
        "form": form,
        "question": question,
        "part": "question",
        "known_fields": sorted(known_customer_fields(survey.organization)),
    }
    return render(request, "listening/survey_question.html", context, status=400 if form.errors else 200)


def _apply(request: HttpRequest, survey: Survey, document: dict[str, Any], done: str) -> None:
    """Save a change made without a form; its problems become messages on the survey's page."""
    try:
        import_survey(survey.organization, document)
    except SurveyFileError as error:
        for problem in error.problems:
            messages.error(request, describe(problem, document))
    except IntegrityError:
        messages.error(request, _(CHANGED_MEANWHILE))
    else:
        messages.success(request, done)


@member_required("manage_surveys")
@require_POST
def question_move(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    question = get_object_or_404(Question, survey=survey, pk=question_id)
    document = export_survey(survey)
    questions = document["questions"]
    index = [entry["code"] for entry in questions].index(question.code)
    other = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        _apply(request, survey, document, _("The question “%(code)s” is moved.") % {"code": question.code})
    return redirect(reverse("listening:survey_detail", args=[survey.pk]) + "#questions")


@member_required("manage_surveys")
@require_POST
def question_delete(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    question = get_object_or_404(Question, survey=survey, pk=question_id)
    document = export_survey(survey)
    if question.answers.exists():
        messages.error(request, _("“%(code)s” has answers: it cannot be deleted.") % {"code": question.code})
    elif len(document["questions"]) == 1:
        messages.error(request, _("A survey keeps at least one question: add another one first."))
    else:
        document["questions"] = [entry for entry in document["questions"] if entry["code"] != question.code]
        _apply(request, survey, document, _("The question “%(code)s” is deleted.") % {"code": question.code})
    return redirect(reverse("listening:survey_detail", args=[survey.pk]) + "#questions")


@member_required("view_results")
@require_POST
def survey_preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The survey as the form on the page would make it, rendered without saving anything."""
    survey = get_for_org_or_404(Survey, current_organization(request), pk=survey_id)
    document = export_survey(survey)
    form: SurveySettingsForm | QuestionForm | None = None
    if request.POST.get("part") == "settings":
        form = SurveySettingsForm(request.POST, survey=survey)
    elif request.POST.get("part") == "question":
        question_id = request.POST.get("question_id", "")
        question = survey.questions.filter(pk=question_id).first() if question_id.isdigit() else None
        form = _question_form(request, survey, question)
    if form is not None:
        form.is_valid()
        document = form.document(document)
    return render(request, "listening/survey_preview.html", _preview_context(request, survey, document))
