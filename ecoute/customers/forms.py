from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ecoute.customers.importing.field_spec import FieldSpec
from ecoute.customers.importing.mapping import CRM_FIELD
from ecoute.customers.importing.reading import ENCODING_CHOICES
from ecoute.customers.models import ImportKind, Tag
from ecoute.lib.api_values import CONTROL_CHARACTERS

LAST_PURCHASE_CHOICES = [
    ("", _("Any time")),
    ("3m", _("In the last 3 months")),
    ("12m", _("In the last 12 months")),
    ("lapsed", _("Not for 12 months or more")),
    ("never", _("Never")),
]
SORT_CHOICES = [
    ("name", _("Name")),
    ("-last_purchase", _("Latest purchase first")),
    ("last_purchase", _("Oldest purchase first")),
    ("-created", _("Newest customers first")),
]


class SearchField(forms.CharField):
    """A search typed or pasted: a control character in it (a NUL…) is read as "�", which is no letter and
    so separates words, rather than refusing the search and listing every customer."""

    def to_python(self, value: Any) -> str:
        return CONTROL_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", str(super().to_python(value)))


class CustomerFilterForm(forms.Form):
    q = SearchField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name, company, city, e-mail, phone or CRM id")}),
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=Tag.objects.none(), required=False, empty_label=_("All tags")
    )
    consent = forms.ChoiceField(
        label=_("E-mail consent"),
        required=False,
        choices=[("", _("All")), ("yes", _("Given")), ("no", _("Not given"))],
    )
    # Any region is accepted (the select lists the first ones), so a link to a region never fails.
    region = forms.CharField(label=_("Region"), required=False, max_length=100, widget=forms.Select)
    last_purchase = forms.ChoiceField(label=_("Last purchase"), required=False, choices=LAST_PURCHASE_CHOICES)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, organization: Any, regions: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Tag.objects.filter(organization=organization)  # type: ignore[attr-defined]
        current = self.data.get("region", "") if self.is_bound else ""
        listed = regions if not current or current in regions else [*regions, current]
        self.fields["region"].widget.choices = [("", _("All regions")), *((r, r) for r in listed)]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("CSV, Excel (.xlsx) or OpenDocument (.ods)."))
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"),
        choices=[("", _("Found from the file")), *ENCODING_CHOICES],
        required=False,
    )
    sheet = forms.CharField(
        label=_("Sheet of a workbook"),
        required=False,
        max_length=100,
        help_text=_("Its name, or “all” for every sheet of the same shape; found from the file when empty."),
    )
    header_row = forms.IntegerField(
        label=_("Line of the column names"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("Found from the file when empty."),
    )

    def reading_options(self) -> dict[str, object]:
        """How to read the file, as chosen: the options left empty are found from the file."""
        chosen = {name: self.cleaned_data.get(name) for name in ("encoding", "sheet", "header_row")}
        return {name: value for name, value in chosen.items() if value not in (None, "")}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s.")
                % {"limit": filesizeformat(settings.IMPORT_MAX_FILE_SIZE)}
            )
        return upload


@dataclass(frozen=True)
class MappingRow:
    """A column of the file on the mapping page: its select's name, label and options, its first values."""

    name: str
    label: str
    options: SafeString
    values: list[str]


class ImportMappingForm(forms.Form):
    """One select per column of the file: which field it feeds, or none."""

    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and set the others aside"), required=False
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        fields: tuple[FieldSpec, ...],
        initial_mapping: dict[int, str],
        preview: list[list[str]] | None = None,
        crm_fields: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # An ignored column is written nowhere; a customer's CRM field is kept under the column's name.
        self.choices: list[tuple[str, str]] = [
            ("", str(_("— ignore —"))),
            *([(CRM_FIELD, str(_("CRM field")))] if crm_fields else []),
            *((spec.name, f"{spec.label}{' *' if spec.required else ''}") for spec in fields),
        ]
        self.headers = headers
        self.preview = preview or []
        for index, label in enumerate(self.column_labels()):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=label, choices=self.choices, required=False, initial=initial_mapping.get(index, "")
            )

    def column_labels(self) -> list[str]:
        unnamed = _("(column %(number)s, no name)")
        return [header or str(unnamed) % {"number": index + 1} for index, header in enumerate(self.headers)]

    def select_options(self) -> dict[str, SafeString]:
        """The <option> elements of a column's select, by the value selected (escaped by format_html).
        HTML ends an option at the next one: without its end tag, a file of 500 columns keeps a light page."""
        return {
            selected: format_html_join(
                "",
                '<option value="{}"{}>{}',
                ((value, " selected" if value == selected else "", label) for value, label in self.choices),
            )
            for selected, _label in self.choices
        }

    def chosen_mapping(self) -> dict[str, str]:
        """Column position (as text: it is stored as JSON) → field, "" for a column left out."""
        return {str(i): self.cleaned_data.get(f"column_{i}", "") for i in range(len(self.headers))}
