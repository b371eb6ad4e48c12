"""Attach imported tags to customers, creating the tags that do not exist yet."""

from collections.abc import Sequence

from ecoute.customers.importing.writers import customer_ids_for
from ecoute.customers.models import Customer, Tag


def set_customer_tags(organization_id: int, tagged: Sequence[tuple[str, list[str]]]) -> None:
    """Add each customer's tags (by CRM id); tags already there stay."""
    names = {name for _ref, tags in tagged for name in tags}
    if not names:
        return
    Tag.objects.bulk_create(
        [Tag(organization_id=organization_id, name=name) for name in names], ignore_conflicts=True
    )
    tag_ids = dict(
        Tag.objects.filter(organization_id=organization_id, name__in=names).values_list("name", "id")
    )
    refs = [ref for ref, tags in tagged if tags]
    customer_ids = customer_ids_for(organization_id, refs)
    through = Customer.tags.through
    through.objects.bulk_create(
        [
            through(customer_id=customer_ids[ref], tag_id=tag_ids[name])
            for ref, tags in tagged
            if ref in customer_ids
            for name in tags
        ],
        ignore_conflicts=True,
    )
