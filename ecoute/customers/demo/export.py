"""Write simulated customers as the CSV files a French CRM exports.

Excel style: `;` between values, decimal comma, dd/mm/yyyy dates, UTF-8 with a byte order mark,
except the customer list, which comes from an older tool in Windows-1252. Each customer is written
as soon as it is drawn, so the memory used does not depend on how many customers are exported.
Cells go through the formula-safe writer, as every file the product writes: a mobile number written
"+33 6 …" is read by a spreadsheet as text, and by the importer as it was.
"""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path

from ecoute.customers.demo.people import MINUTES_PER_DAY, BuyingProcess, Customer, history_start
from ecoute.customers.demo.simulate import simulate_customers
from ecoute.lib.formula_safe import FormulaSafeCsvWriter

FILES = {
    "customers": ("clients.csv", "cp1252"),
    "consents": ("consentements.csv", "utf-8-sig"),
    "transactions": ("ventes.csv", "utf-8-sig"),
    "interactions": ("contacts_sav.csv", "utf-8-sig"),
    "loyalty-acts": ("actes_fidelite.csv", "utf-8-sig"),
}
HEADERS = {
    "customers": (
        "N° client",
        "Civilité",
        "Prénom",
        "Nom",
        "Société",
        "E-mail",
        "Téléphone",
        "Adresse",
        "Code postal",
        "Ville",
        "Région",
        "Pays",
        "Date de création",
        "Segments",
    ),
    "consents": ("N° client", "Canal", "Finalité", "Consentement", "Date du consentement", "Source"),
    "transactions": (
        "N° commande",
        "N° client",
        "Date de commande",
        "Montant TTC",
        "Devise",
        "Canal",
        "Magasin",
    ),
    "interactions": (
        "N° ticket",
        "N° client",
        "Type",
        "Date du contact",
        "Point de contact",
        "Motif",
        "Résolu au premier contact",
        "Retard de livraison (jours)",
        "Durée de traitement (min)",
    ),
    "loyalty-acts": ("Référence", "N° client", "Type", "Date", "Plateforme", "Note", "Commentaire", "Lien"),
}
CHANNEL_WORDS = {"email": "E-mail", "sms": "SMS", "phone": "Téléphone"}
PURPOSE_WORDS = {"surveys": "Enquêtes", "marketing": "Marketing", "panel": "Panel"}
CONTACT_WORDS = {
    "support_ticket": "Réclamation",
    "call": "Appel",
    "email": "E-mail",
    "chat": "Chat",
    "delivery": "Livraison",
}
ACT_WORDS = {
    "review": "Avis",
    "referral": "Parrainage",
    "endorsement": "Recommandation",
    "community_help": "Entraide",
    "social_mention": "Mention réseaux sociaux",
}
_YES_NO = {True: "oui", False: "non", None: ""}


@dataclass
class ExportCounts:
    customers: int = 0
    consents: int = 0
    transactions: int = 0
    interactions: int = 0
    loyalty_acts: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _Clock:
    """Minutes since the start of the history → "dd/mm/yyyy HH:MM", with each day formatted once."""

    def __init__(self, start: date, days: int) -> None:
        self.days = [f"{start + timedelta(days=n):%d/%m/%Y}" for n in range(days + 1)]
        self.times = [f"{m // 60:02d}:{m % 60:02d}" for m in range(MINUTES_PER_DAY)]

    def moment(self, at: int) -> str:
        day, minute = divmod(at, MINUTES_PER_DAY)
        return f"{self.days[day]} {self.times[minute]}"

    def day(self, day: int) -> str:
        return self.days[day]


def euros(cents: int) -> str:
    """1234.56 € as a French spreadsheet writes it: "1 234,56" (no-break space between thousands)."""
    whole, rest = divmod(cents, 100)
    text = f"{whole:,}".replace(",", "\u00a0") if whole >= 1000 else str(whole)
    return f"{text},{rest:02d}"


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def export_demo(
    directory: Path,
    *,
    customers: int,
    seed: int,
    today: date,
    process: BuyingProcess = BuyingProcess(),  # noqa: B008 - frozen
) -> ExportCounts:
    """Write the five files into `directory` (created if needed) and count their rows."""
    directory.mkdir(parents=True, exist_ok=True)
    clock = _Clock(history_start(today, process), process.history_days)
    counts = ExportCounts()
    handles = {
        kind: (directory / name).open("w", encoding=encoding, errors="replace", newline="", buffering=1 << 20)
        for kind, (name, encoding) in FILES.items()
    }
    try:
        writers = {
            kind: FormulaSafeCsvWriter(handle, delimiter=";", lineterminator="\r\n")
            for kind, handle in handles.items()
        }
        for kind, writer in writers.items():
            writer.writerow(HEADERS[kind])
        for customer in simulate_customers(customers, seed=seed, process=process):
            _write_customer(customer, writers, clock, counts)
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def _write_customer(
    customer: Customer, writers: dict[str, FormulaSafeCsvWriter], clock: _Clock, counts: ExportCounts
) -> None:
    c = customer
    writers["customers"].writerow(
        (
            c.ref,
            c.civility,
            c.first_name,
            c.last_name,
            c.company,
            c.email,
            c.phone,
            c.address,
            c.postcode,
            c.city,
            c.region,
            "FR",
            clock.day(c.created_day),
            ", ".join(c.tags),
        )
    )
    ref = c.ref
    writers["consents"].writerows(
        (
            ref,
            CHANNEL_WORDS[k.channel],
            PURPOSE_WORDS[k.purpose],
            _YES_NO[k.granted],
            clock.moment(k.at),
            k.source,
        )
        for k in c.consents
    )
    writers["transactions"].writerows(
        (p.order, ref, clock.moment(p.at), euros(p.cents), "EUR", p.channel, p.store) for p in c.purchases
    )
    writers["interactions"].writerows(
        (
            i.ref,
            ref,
            CONTACT_WORDS[i.kind],
            clock.moment(i.at),
            i.touchpoint,
            i.subject,
            _YES_NO[i.resolved_first_contact],
            "" if i.delivery_delay_days is None else i.delivery_delay_days,
            _decimal(i.handling_minutes),
        )
        for i in c.contacts
    )
    writers["loyalty-acts"].writerows(
        (
            a.ref,
            ref,
            ACT_WORDS[a.kind],
            clock.moment(a.at),
            a.source,
            "" if a.rating is None else a.rating,
            a.text,
            a.url,
        )
        for a in c.acts
    )
    counts.customers += 1
    counts.consents += len(c.consents)
    counts.transactions += len(c.purchases)
    counts.interactions += len(c.contacts)
    counts.loyalty_acts += len(c.acts)
