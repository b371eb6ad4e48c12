"""The words the demo data is made of: French names, places, stores and what customers write.

The lists live in words.json beside this file; this module gives them their types. Contact details
are safe to use in a demo that sends messages: e-mail domains are the reserved example domains
(RFC 2606) and mobile numbers lie in the range ARCEP keeps for fiction (06 39 98 00 00 to
06 39 98 99 99).
"""

import json
from pathlib import Path
from typing import Any

_WORDS: dict[str, Any] = json.loads((Path(__file__).parent / "words.json").read_text(encoding="utf-8"))


def _words(name: str) -> tuple[str, ...]:
    return tuple(str(word) for word in _WORDS[name])


ORGANIZATION_NAME = "Maison Lumière"

FEMALE_FIRST_NAMES = _words("female_first_names")
MALE_FIRST_NAMES = _words("male_first_names")
LAST_NAMES = _words("last_names")
COMPANY_FORMS = _words("company_forms")
COMPANY_WORDS = _words("company_words")

# (city, postcode, region, weight). Weights follow population, leaning towards the store cities.
CITIES: tuple[tuple[str, str, str, int], ...] = tuple(
    (str(city), str(postcode), str(region), int(weight))
    for city, postcode, region, weight in _WORDS["cities"]
)

WEB_STORE = "Web"
# The store a customer of each region walks into; elsewhere they buy on the web.
STORES_BY_REGION = {
    "Île-de-France": "Paris Rivoli",
    "Auvergne-Rhône-Alpes": "Lyon Part-Dieu",
    "Nouvelle-Aquitaine": "Bordeaux Sainte-Catherine",
    "Hauts-de-France": "Lille Grand Place",
}
STORES = (*STORES_BY_REGION.values(), WEB_STORE)

STREET_TYPES = _words("street_types")
STREET_NAMES = _words("street_names")
EMAIL_DOMAINS = _words("email_domains")

CONSENT_SOURCES_GRANTED = _words("consent_sources_granted")
CONSENT_SOURCES_WITHDRAWN = _words("consent_sources_withdrawn")

SUPPORT_SUBJECTS = _words("support_subjects")
LATE_DELIVERY_SUBJECT = "Retard de livraison"
DELIVERY_CARRIERS = _words("delivery_carriers")

REVIEW_PLATFORMS = _words("review_platforms")
SOCIAL_PLATFORMS = _words("social_platforms")
COMMUNITY_PLACES = _words("community_places")
# What reviewers write, by their rating from 1 to 5.
REVIEW_TEXTS: dict[int, tuple[str, ...]] = {
    int(rating): tuple(texts) for rating, texts in _WORDS["review_texts"].items()
}
ENDORSEMENT_TEXTS = _words("endorsement_texts")
COMMUNITY_TEXTS = _words("community_texts")
SOCIAL_TEXTS = _words("social_texts")
