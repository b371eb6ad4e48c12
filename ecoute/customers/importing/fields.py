"""The fields each import kind understands, with the column names French and English exports use."""

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A customer's tags and CRM fields (attributes), whether they come in a file or through the API.
MAX_TAG_LENGTH = 100
MAX_ATTRIBUTE_NAME = 100
MAX_ATTRIBUTE_VALUE = 1000


class ValueType(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    DECIMAL = "decimal"
    MONEY = "money"  # a decimal that may carry its currency: "12,50 $", "12.50 USD"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    CHOICE = "choice"
    TAGS = "tags"
    URL = "url"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Promise
    type: ValueType = ValueType.TEXT
    required: bool = False
    max_length: int = 0
    synonyms: tuple[str, ...] = ()
    # For CHOICE: accepted spellings (normalized) → stored value.
    choices: dict[str, str] = field(default_factory=dict)
    # What the column holds: DECIMAL digits before the point, INTEGER bounds; None is no limit.
    integer_digits: int | None = None
    minimum: int | None = None
    maximum: int | None = None


def _spec(name: str, label: Promise, *synonyms: str, **options: object) -> FieldSpec:
    return FieldSpec(name, label, synonyms=(name, *synonyms), **options)  # type: ignore[arg-type]


CUSTOMER_REF = _spec(
    "customer",
    _("customer CRM id"),
    "customer_id",
    "customer id",
    "client",
    "n client",
    "numero client",
    "code client",
    "id client",
    "ref client",
    "reference client",
    "identifiant client",
    "customer number",
    "customer ref",
    required=True,
    max_length=100,
)
OCCURRED_AT = _spec(
    "occurred_at",
    _("date"),
    "date",
    "date heure",
    "datetime",
    "timestamp",
    required=True,
    type=ValueType.DATETIME,
)

CHANNELS = {
    "email": "email",
    "e mail": "email",
    "mail": "email",
    "courriel": "email",
    "sms": "sms",
    "texto": "sms",
    "phone": "phone",
    "telephone": "phone",
    "tel": "phone",
}
PURPOSES = {
    "surveys": "surveys",
    "survey": "surveys",
    "enquetes": "surveys",
    "enquete": "surveys",
    "sondages": "surveys",
    "avis": "surveys",
    "marketing": "marketing",
    "prospection": "marketing",
    "newsletter": "marketing",
    "offres": "marketing",
    "panel": "panel",
}
INTERACTION_KINDS = {
    "support ticket": "support_ticket",
    "support_ticket": "support_ticket",
    "ticket": "support_ticket",
    "reclamation": "support_ticket",
    "sav": "support_ticket",
    "call": "call",
    "appel": "call",
    "visit": "visit",
    "visite": "visit",
    "delivery": "delivery",
    "livraison": "delivery",
    "email": "email",
    "e mail": "email",
    "courriel": "email",
    "chat": "chat",
}
LOYALTY_KINDS = {
    "review": "review",
    "avis": "review",
    "endorsement": "endorsement",
    "recommandation": "endorsement",
    "temoignage": "endorsement",
    "referral": "referral",
    "parrainage": "referral",
    "community help": "community_help",
    "community_help": "community_help",
    "entraide": "community_help",
    "aide communaute": "community_help",
    "social mention": "social_mention",
    "social_mention": "social_mention",
    "mention reseaux sociaux": "social_mention",
    "mention": "social_mention",
}

CUSTOMER_FIELDS = (
    _spec(
        "external_id",
        _("CRM id"),
        *CUSTOMER_REF.synonyms[1:],
        "id",
        "identifiant",
        required=True,
        max_length=100,
    ),
    _spec(
        "email",
        _("e-mail"),
        "e mail",
        "mail",
        "courriel",
        "adresse mail",
        "adresse e mail",
        "email address",
        type=ValueType.EMAIL,
        max_length=254,
    ),
    _spec(
        "phone",
        _("phone"),
        "telephone",
        "tel",
        "portable",
        "mobile",
        "telephone mobile",
        "phone number",
        max_length=40,
    ),
    _spec("first_name", _("first name"), "prenom", "firstname", "given name", max_length=100),
    _spec(
        "last_name",
        _("last name"),
        "nom",
        "nom de famille",
        "lastname",
        "surname",
        "family name",
        max_length=100,
    ),
    _spec("company", _("company"), "societe", "entreprise", "raison sociale", "organisation", max_length=200),
    _spec("language", _("language"), "langue", "lang", max_length=8),
    _spec("postcode", _("postcode"), "code postal", "cp", "zip", "zip code", "postal code", max_length=20),
    _spec("city", _("city"), "ville", "commune", "localite", max_length=100),
    _spec("region", _("region"), "region", "departement", "state", max_length=100),
    _spec("country", _("country"), "pays", "code pays", "country code", max_length=2),
    _spec(
        "created_at",
        _("customer since"),
        "date de creation",
        "date creation",
        "cree le",
        "client depuis",
        "date inscription",
        "date d inscription",
        "signup date",
        type=ValueType.DATETIME,
    ),
    _spec("tags", _("tags"), "etiquettes", "segments", "segment", "tag", type=ValueType.TAGS),
)

CONSENT_FIELDS = (
    CUSTOMER_REF,
    _spec("channel", _("channel"), "canal", "media", type=ValueType.CHOICE, required=True, choices=CHANNELS),
    _spec(
        "purpose",
        _("purpose"),
        "finalite",
        "objet",
        "usage",
        type=ValueType.CHOICE,
        required=True,
        choices=PURPOSES,
    ),
    _spec(
        "granted",
        _("granted"),
        "consentement",
        "optin",
        "opt in",
        "accord",
        "consent",
        "statut",
        type=ValueType.BOOLEAN,
        required=True,
    ),
    _spec(
        "recorded_at",
        _("recorded at"),
        "date",
        "date consentement",
        "date du consentement",
        "date de recueil",
        "date optin",
        type=ValueType.DATETIME,
        required=True,
    ),
    _spec("source", _("source"), "origine", "provenance", max_length=100),
)

TRANSACTION_FIELDS = (
    _spec(
        "external_id",
        _("transaction id"),
        "n commande",
        "numero commande",
        "numero de commande",
        "reference commande",
        "ref commande",
        "commande",
        "order id",
        "order number",
        "n facture",
        "numero facture",
        "n ticket",
        "transaction id",
        "id transaction",
        max_length=120,
    ),
    CUSTOMER_REF,
    _spec(
        "occurred_at",
        _("date"),
        "date de commande",
        "date commande",
        "date d achat",
        "date achat",
        "date de vente",
        "date facture",
        "order date",
        "purchase date",
        *OCCURRED_AT.synonyms[1:],
        type=ValueType.DATETIME,
        required=True,
    ),
    _spec(
        "amount",
        _("amount"),
        "montant",
        "montant ttc",
        "total ttc",
        "total",
        "montant total",
        "prix",
        "ca ttc",
        "amount incl tax",
        "total amount",
        "price",
        type=ValueType.MONEY,
        required=True,
        integer_digits=12,
    ),
    _spec("currency", _("currency"), "devise", "monnaie", max_length=3),
    _spec("channel", _("channel"), "canal", "canal de vente", "source", max_length=50),
    _spec("store", _("store"), "magasin", "point de vente", "boutique", "site", "shop", max_length=100),
    # Item lines of a till or invoice export: several lines share the sale's id.
    _spec(
        "product",
        _("product"),
        "produit",
        "article",
        "libelle",
        "libelle article",
        "designation",
        "reference article",
        "item",
        max_length=200,
    ),
    _spec(
        "quantity",
        _("quantity"),
        "quantite",
        "qte",
        "qty",
        "nombre",
        type=ValueType.DECIMAL,
        integer_digits=9,
    ),
    _spec(
        "unit_price",
        _("unit price"),
        "prix unitaire",
        "pu",
        "pu ttc",
        "prix unitaire ttc",
        type=ValueType.DECIMAL,
        integer_digits=12,
    ),
)

# The fields of a sale's item lines: when a file maps one of them, each line is kept as a TransactionLine.
ITEM_FIELDS = frozenset({"product", "quantity", "unit_price"})

INTERACTION_FIELDS = (
    _spec(
        "external_id",
        _("interaction id"),
        "n ticket",
        "numero ticket",
        "ticket id",
        "reference",
        "id interaction",
        "id contact",
        max_length=120,
    ),
    CUSTOMER_REF,
    _spec(
        "kind",
        _("kind"),
        "type",
        "type de contact",
        "nature",
        type=ValueType.CHOICE,
        required=True,
        choices=INTERACTION_KINDS,
    ),
    _spec(
        "occurred_at",
        _("date"),
        "date de contact",
        "date du contact",
        "date ouverture",
        "date d ouverture",
        *OCCURRED_AT.synonyms[1:],
        type=ValueType.DATETIME,
        required=True,
    ),
    _spec("touchpoint", _("touchpoint"), "point de contact", "canal", "service", max_length=100),
    _spec("subject", _("subject"), "objet", "sujet", "motif", max_length=300),
    _spec(
        "resolved_first_contact",
        _("resolved at first contact"),
        "resolu au premier contact",
        "resolu 1er contact",
        "resolution premier contact",
        "fcr",
        "first contact resolution",
        type=ValueType.BOOLEAN,
    ),
    _spec(
        "delivery_delay_days",
        _("delivery delay (days)"),
        "retard livraison",
        "retard de livraison",
        "retard livraison jours",
        "retard jours",
        "delivery delay",
        type=ValueType.INTEGER,
        minimum=-3650,
        maximum=3650,
    ),
    _spec(
        "handling_time_minutes",
        _("handling time (minutes)"),
        "duree de traitement",
        "duree traitement",
        "temps de traitement",
        "duree min",
        "handling time",
        type=ValueType.DECIMAL,
        integer_digits=7,
        minimum=0,
    ),
)

LOYALTY_ACT_FIELDS = (
    _spec("external_id", _("act id"), "reference", "id", "id avis", max_length=120),
    CUSTOMER_REF,
    _spec(
        "kind",
        _("kind"),
        "type",
        "nature",
        "type d acte",
        type=ValueType.CHOICE,
        required=True,
        choices=LOYALTY_KINDS,
    ),
    _spec(
        "occurred_at",
        _("date"),
        "date de publication",
        "date avis",
        *OCCURRED_AT.synonyms[1:],
        type=ValueType.DATETIME,
        required=True,
    ),
    _spec("source", _("source"), "origine", "plateforme", "site", max_length=100),
    _spec("rating", _("rating"), "note", "etoiles", "score", type=ValueType.INTEGER, minimum=0, maximum=10),
    _spec("text", _("text"), "texte", "commentaire", "contenu", "message", "verbatim"),
    _spec("url", _("link"), "lien", "url", "adresse", max_length=500, type=ValueType.URL),
)

FIELDS_BY_KIND: dict[str, tuple[FieldSpec, ...]] = {
    "customers": CUSTOMER_FIELDS,
    "consents": CONSENT_FIELDS,
    "transactions": TRANSACTION_FIELDS,
    "interactions": INTERACTION_FIELDS,
    "loyalty-acts": LOYALTY_ACT_FIELDS,
}
