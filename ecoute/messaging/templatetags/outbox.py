"""`{% do_not_contact_panel customer %}`: the do-not-contact state of a customer, with its switch for
those who may change it, and whether their address is refused (it bounced, they complained)."""

from typing import Any

from django import template

from ecoute.customers.models import Customer
from ecoute.messaging.actions import blocked_address, do_not_contact

register = template.Library()


@register.inclusion_tag("messaging/_do_not_contact.html", takes_context=True)
def do_not_contact_panel(context: template.Context, customer: Customer) -> dict[str, Any]:
    return {
        "customer": customer,
        "suppression": do_not_contact(customer),
        "address_suppression": blocked_address(customer),
        "may_change": "manage_contacts" in (context.get("membership_permissions") or ()),
        "csrf_token": context.get("csrf_token"),
    }
