"""A survey of every question type, its customers, and files of its answers as other tools export them."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.listening.models import Survey
from tests.customers.importing import write_csv
from tests.factories import CustomerFactory, QuestionFactory, SurveyFactory

CHANNELS = [
    {"value": "shop", "fr": "En magasin", "en": "In store"},
    {"value": "web", "fr": "Sur le site", "en": "On the website"},
]
LIKED = [
    {"value": "price", "fr": "Le prix", "en": "The price"},
    {"value": "welcome", "fr": "L'accueil", "en": "The welcome"},
    {"value": "advice", "fr": "Les conseils", "en": "The advice"},
]

NPS_COLUMN = "Recommanderiez-vous notre maison à un proche ?"
CSAT_COLUMN = "Êtes-vous satisfait de votre visite ?"
# A French export: Windows-1252, semicolons, dates day first, satisfaction written in words, a column
# that matches no question ("Source"), the customer by CRM id or, when it is blank, by e-mail.
FRENCH_HEADER = (
    "Code client;E-mail;Date de réponse;Recommanderiez-vous notre maison à un proche ?;"
    "Êtes-vous satisfait de votre visite ?;Effort;Qu'avez-vous apprécié ?;Où avez-vous acheté ?;"
    "Reviendrez-vous ?;La livraison (importance);La livraison;Un commentaire ?;Source\n"
)
FRENCH_ROWS = (
    'C1;;15/03/2024 10:30;9;Très satisfait;2;"Le prix;L\'accueil";En magasin;oui;5;4;Très bon accueil, '
    "merci !;papier\n"
    "C2;;16/03/2024;3;Insatisfait;6;Les conseils | le prix;Sur le site;non;4;2;Livraison en retard;web\n"
    ";claire@exemple.fr;17/03/2024;8;3;;;;;;;;web\n"
)


def listening_survey(organization: Organization, slug: str = "visite") -> Survey:
    """A survey asking one question of each type, in French and English."""
    survey = SurveyFactory.create(organization=organization, slug=slug, name="Après votre visite")
    questions: list[dict[str, Any]] = [
        {
            "code": "recommend",
            "type": "nps",
            "text_fr": "Recommanderiez-vous {store|notre maison} à un proche ?",
        },
        {"code": "satisfaction", "type": "csat", "text_fr": "Êtes-vous satisfait de votre visite ?"},
        {"code": "effort", "type": "ces", "text_fr": "Était-ce facile ?", "text_en": "Was it easy?"},
        {"code": "liked", "type": "multi", "text_fr": "Qu'avez-vous apprécié ?", "options": LIKED},
        {"code": "channel", "type": "choice", "text_fr": "Où avez-vous acheté ?", "options": CHANNELS},
        {
            "code": "come_back",
            "type": "yes_no",
            "text_fr": "Reviendrez-vous ?",
            "text_en": "Will you come back?",
        },
        {
            "code": "delivery",
            "type": "importance_satisfaction",
            "text_fr": "La livraison",
            "text_en": "Delivery",
        },
        {"code": "comment", "type": "text", "text_fr": "Un commentaire ?", "text_en": "Any comment?"},
    ]
    for position, question in enumerate(questions):
        defaults = {"text_en": question["text_fr"], "position": position}
        QuestionFactory.create(survey=survey, **{**defaults, **question})
    return survey


def listening_customers(organization: Organization) -> dict[str, Customer]:
    return {
        "C1": CustomerFactory.create(organization=organization, external_id="C1", email="jeanne@exemple.fr"),
        "C2": CustomerFactory.create(organization=organization, external_id="C2", language="en"),
        "C3": CustomerFactory.create(organization=organization, external_id="C3", email="claire@exemple.fr"),
    }


def write_french_export(path: Path, rows: str = FRENCH_ROWS) -> Path:
    return write_csv(path, FRENCH_HEADER + rows, encoding="cp1252")


def import_responses(*args: str) -> tuple[str, str]:
    """Run `ecoute import responses …`; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("import", "responses", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def json_report(*args: str) -> dict[str, Any]:
    out, _err = import_responses(*args, "--json")
    report: dict[str, Any] = json.loads(out)
    return report
