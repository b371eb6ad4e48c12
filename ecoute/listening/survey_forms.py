"""The survey builder's forms. Each one writes its part into the survey's JSON document (the format of
`ecoute survey export`), which `import_survey` checks and saves: the page, the file and the command
share one set of rules and one way to save. The document's problems come back on the fields they name.
"""

import re
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, cast

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.listening.models import SCALES, Criterion, QuestionType, Survey, SurveyKind
from ecoute.listening.survey_files import MAX_FILE_BYTES, SCHEMA_FILE, THANKS_LEVELS, Problem, parse_json

TEMPLATES_DIR = SCHEMA_FILE.parent / "templates"
LANGUAGES = (("fr", gettext_lazy("French")), ("en", gettext_lazy("English")))
LEVEL_NAMES = {
    "default": gettext_lazy("everyone"),
    "promoter": gettext_lazy("promoters"),
    "passive": gettext_lazy("passives"),
    "detractor": gettext_lazy("detractors"),
}
TEMPLATE_NAMES = {
    "relationship-nps": gettext_lazy("Relationship NPS"),
    "after-purchase-csat": gettext_lazy("After a purchase: satisfaction and effort"),
    "after-support": gettext_lazy("After a support contact"),
    "importance-satisfaction": gettext_lazy("Importance and satisfaction on the criteria"),
    "why-did-you-leave": gettext_lazy("Why did you leave?"),
}
_QUESTION_PATH = re.compile(r"^/questions/(?P<index>\d+)(?P<rest>/.*)?$")


@cache
def shipped_template(slug: str) -> dict[str, Any]:
    document = parse_json((TEMPLATES_DIR / f"{slug}.json").read_text(encoding="utf-8"))
    assert isinstance(document, dict)  # noqa: S101 - the shipped files are checked by their tests
    return document


def template_choices() -> list[tuple[str, str]]:
    slugs = sorted(path.stem for path in Path(TEMPLATES_DIR).glob("*.json"))
    return [(slug, str(TEMPLATE_NAMES.get(slug, shipped_template(slug)["name"]))) for slug in slugs]


def describe(problem: Problem, document: dict[str, Any]) -> str:
    """The problem in words, naming the question by its number and code rather than by its path."""
    match = _QUESTION_PATH.match(problem.path)
    questions = document.get("questions", [])
    if match and int(match["index"]) < len(questions):
        index = int(match["index"])
        return _("Question %(number)s (“%(code)s”): %(message)s") % {
            "number": index + 1,
            "code": questions[index].get("code", ""),
            "message": problem.message,
        }
    return str(problem)


class DocumentForm(forms.Form):
    """A form that writes into a survey document and shows the document's problems on its fields."""

    def field_of(self, path: str) -> str | None:
        name = path.strip("/").replace("/", "_")
        return name if name in self.fields else None

    def message_of(self, problem: Problem) -> str:
        return problem.message

    def add_problems(self, problems: list[Problem], document: dict[str, Any]) -> None:
        for problem in problems:
            field = self.field_of(problem.path)
            if field is None:
                self.add_error(None, describe(problem, document))
            elif field in self.errors:
                self.errors[field].append(self.message_of(problem))
            else:
                self.add_error(field, self.message_of(problem))

    def value(self, name: str, default: Any) -> Any:
        """The cleaned value, or `default` when the field is invalid (for a preview of a form with errors)."""
        cleaned = getattr(self, "cleaned_data", {})
        return cleaned.get(name, default)


class NewSurveyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    template = forms.ChoiceField(label=gettext_lazy("Start from"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["template"]).choices = [
            ("", _("Nothing: one recommendation question to start with")),
            *template_choices(),
        ]
        self.fields["name"].help_text = _("Left empty, the template's name is used.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("template") and not cleaned.get("name", "").strip():
            self.add_error("name", _("Give the survey a name, or start from a template."))
        return cleaned

    def document(self) -> dict[str, Any]:
        """The new survey's document; its slug is a wish (the view takes a free one like it)."""
        template = shipped_template(self.cleaned_data["template"] or "relationship-nps")
        if self.cleaned_data["template"]:
            document = {**template}
        else:
            document = {"format": template["format"], "questions": template["questions"][:1]}
        name = self.cleaned_data["name"].strip()
        document["name"] = name or template["name"]
        document["slug"] = slugify(name) if name else template["slug"]
        return document


def slug_candidates(wished: str) -> list[str]:
    base = slugify(wished)[:50].strip("-_") or "survey"
    return [base, *(f"{base}-{number}" for number in range(2, 100))]


class SurveyImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Survey file (JSON)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s bytes; at most %(limit)s).")
                % {"size": upload.size, "limit": MAX_FILE_BYTES}
            )
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file is not UTF-8 text: is it a JSON file?")) from error


def _texts(fr: str, en: str) -> dict[str, str]:
    return {language: text for language, text in (("fr", fr), ("en", en)) if text}


class SurveySettingsForm(DocumentForm):
    """Everything about a survey but its questions."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SurveyKind.choices)
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages"), choices=LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    cooldown_days = forms.IntegerField(
        label=gettext_lazy("Cooldown (days)"),
        min_value=0,
        max_value=3650,
        help_text=gettext_lazy("A customer is not asked this survey again for so many days."),
    )
    reminder_after_days = forms.IntegerField(
        label=gettext_lazy("Reminder after (days)"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=gettext_lazy("Left empty, no reminder is sent."),
    )
    expires_after_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"), min_value=1, max_value=365
    )
    min_answers = forms.IntegerField(
        label=gettext_lazy("Minimum answers shown"),
        min_value=1,
        max_value=10000,
        help_text=gettext_lazy("Below it, figures are greyed: “not enough answers”."),
    )
    intro_fr = forms.CharField(label=gettext_lazy("Introduction (French)"), required=False)
    intro_en = forms.CharField(label=gettext_lazy("Introduction (English)"), required=False)
    email_subject_fr = forms.CharField(
        label=gettext_lazy("E-mail subject (French)"), max_length=200, required=False
    )
    email_subject_en = forms.CharField(
        label=gettext_lazy("E-mail subject (English)"), max_length=200, required=False
    )
    email_body_fr = forms.CharField(label=gettext_lazy("E-mail body (French)"), required=False)
    email_body_en = forms.CharField(label=gettext_lazy("E-mail body (English)"), required=False)
    TEXTAREAS: ClassVar = ("intro_fr", "intro_en", "email_body_fr", "email_body_en")

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        for level in THANKS_LEVELS:
            for language, language_name in LANGUAGES:
                self.fields[f"thanks_{level}_{language}"] = forms.CharField(
                    label=_("Thank-you text for %(level)s (%(language)s)")
                    % {"level": LEVEL_NAMES[level], "language": language_name},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
        for name in self.TEXTAREAS:
            self.fields[name].widget = forms.Textarea(attrs={"rows": 4 if "body" in name else 2})
        self.fields["email_subject_fr"].help_text = _(
            "Texts may use the customer's fields: {first_name}, or with a fallback when it is empty: "
            "{first_name|cher client}."
        )
        self.initial = {**self.saved_values(), **self.initial}

    def saved_values(self) -> dict[str, Any]:
        survey = self.survey
        values: dict[str, Any] = {
            name: getattr(survey, name) for name in self.fields if hasattr(survey, name)
        }
        for level in THANKS_LEVELS:
            for language, _name in LANGUAGES:
                values[f"thanks_{level}_{language}"] = survey.thanks.get(level, {}).get(language, "")
        return values

    def document(self, document: dict[str, Any]) -> dict[str, Any]:
        """`document` (the saved survey's) with this form's values."""
        saved = self.saved_values()
        value = {name: self.value(name, saved[name]) for name in self.fields}
        thanks = {
            level: _texts(value[f"thanks_{level}_fr"], value[f"thanks_{level}_en"]) for level in THANKS_LEVELS
        }
        return {
            **document,
            **{
                name: value[name]
                for name in ("name", "kind", "languages", "cooldown_days", "expires_after_days")
            },
            "reminder_after_days": value["reminder_after_days"],
            "min_answers": value["min_answers"],
            "intro": _texts(value["intro_fr"], value["intro_en"]),
            "thanks": {level: texts for level, texts in thanks.items() if texts},
            "email": {
                "subject": _texts(value["email_subject_fr"], value["email_subject_en"]),
                "body": _texts(value["email_body_fr"], value["email_body_en"]),
            },
        }

    def field_of(self, path: str) -> str | None:
        return {"/intro": "intro_fr", "/thanks": "thanks_default_fr"}.get(path) or super().field_of(path)


def options_text(options: list[dict[str, str]]) -> str:
    return "\n".join(" | ".join(filter(None, (o["value"], o["fr"], o.get("en", "")))) for o in options)


def parse_options(text: str) -> list[dict[str, str]]:
    """One option a line: `value | French | English`; a line with a label only takes a value from it."""
    options = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not any(parts):
            continue
        if len(parts) == 1:
            parts = [slugify(parts[0]).replace("-", "_"), parts[0]]
        option = {"value": parts[0], "fr": parts[1]}
        if len(parts) > 2 and parts[2]:
            option["en"] = parts[2]
        options.append(option)
    return options


class QuestionForm(DocumentForm):
    """One question, written at its place in the survey's document (a new one at the end)."""

    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=50,
        help_text=gettext_lazy("Lower-case letters, digits, - and _; it names the answers in files."),
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=QuestionType.choices)
    text_fr = forms.CharField(label=gettext_lazy("Text (French)"), widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(
        label=gettext_lazy("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "For one or several choices: one option a line, “code | French | English”, "
            "for example “price | Le prix | The price”."
        ),
    )
    criterion = forms.ChoiceField(label=gettext_lazy("Criterion"), required=False)
    known_from = forms.CharField(
        label=gettext_lazy("Known from the CRM field"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "known-fields", "autocomplete": "off"}),
        help_text=gettext_lazy("Not asked to customers whose record already holds this field."),
    )
    show_if_question = forms.ChoiceField(label=gettext_lazy("Shown only if the answer to"), required=False)
    show_if_min = forms.IntegerField(label=gettext_lazy("is at least"), required=False, min_value=0)
    show_if_max = forms.IntegerField(label=gettext_lazy("and at most"), required=False, min_value=0)
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)

    def __init__(
        self,
        *args: Any,
        document: dict[str, Any],
        index: int,
        criteria: list[Criterion],
        answered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.index = index
        questions = document["questions"]
        self.saved: dict[str, Any] = questions[index] if index < len(questions) else {}
        cast("forms.ChoiceField", self.fields["criterion"]).choices = [("", "—")] + [
            (c.code, c.name) for c in criteria
        ]
        cast("forms.ChoiceField", self.fields["show_if_question"]).choices = [("", _("always shown"))] + [
            (q["code"], f"{q['code']} — {q['text'].get('fr', '')}"[:80])
            for q in questions[:index]
            if q["type"] in SCALES or q["type"] == QuestionType.YES_NO
        ]
        if answered:
            for name in ("code", "type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("The question has answers: this cannot change.")
        saved, show_if = self.saved, self.saved.get("show_if") or {}
        self.initial = {
            "code": saved.get("code", ""),
            "type": saved.get("type", QuestionType.CSAT),
            "text_fr": saved.get("text", {}).get("fr", ""),
            "text_en": saved.get("text", {}).get("en", ""),
            "options": options_text(saved.get("options", [])),
            "criterion": saved.get("criterion") or "",
            "known_from": saved.get("known_from") or "",
            "show_if_question": show_if.get("question", ""),
            "show_if_min": show_if.get("min"),
            "show_if_max": show_if.get("max"),
            "required": saved.get("required", False),
            **self.initial,
        }

    def entry(self) -> dict[str, Any]:
        value = {name: self.value(name, self.initial[name]) for name in self.fields}
        entry: dict[str, Any] = {
            "code": value["code"],
            "type": value["type"],
            "text": _texts(value["text_fr"].strip(), value["text_en"].strip()),
        }
        if value["type"] in (QuestionType.CHOICE, QuestionType.MULTI):
            entry["options"] = parse_options(value["options"])
        for name in ("criterion", "known_from"):
            if value[name]:
                entry[name] = value[name].strip()
        if value["show_if_question"]:
            entry["show_if"] = {"question": value["show_if_question"]}
            for bound in ("min", "max"):
                if value[f"show_if_{bound}"] is not None:
                    entry["show_if"][bound] = value[f"show_if_{bound}"]
        if value["required"]:
            entry["required"] = True
        return entry

    def document(self, document: dict[str, Any]) -> dict[str, Any]:
        questions = list(document["questions"])
        questions[self.index : self.index + 1] = [self.entry()]
        return {**document, "questions": questions}

    def field_of(self, path: str) -> str | None:
        match = _QUESTION_PATH.match(path)
        if not match or int(match["index"]) != self.index:
            return None
        parts = (match["rest"] or "/").strip("/").split("/")
        head, tail = parts[0], parts[1] if len(parts) > 1 else ""
        if head == "text":
            return (
                f"text_{tail}"
                if tail in ("fr", "en")
                else ("text_fr" if not self.entry()["text"] else "text_en")
            )
        if head == "show_if":
            return f"show_if_{tail}" if tail in ("min", "max") else "show_if_question"
        return head if head in self.fields else None

    def message_of(self, problem: Problem) -> str:
        found = re.search(r"/options/(\d+)", problem.path)
        if found:
            return _("Option %(number)s: %(message)s") % {
                "number": int(found.group(1)) + 1,
                "message": problem.message,
            }
        return problem.message
