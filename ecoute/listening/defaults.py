"""The listening defaults every organization starts with: the shipped criteria and a contact policy.

Kept free of the app's models so that the data migration can run it with the historical ones.
"""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

CRITERIA_FILE = Path(__file__).parent / "data" / "criteria.json"


def default_criteria() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(CRITERIA_FILE.read_text(encoding="utf-8"))
    return [
        {**row, "target_score": Decimal(str(row["target_score"])), "position": position}
        for position, row in enumerate(rows)
    ]


def create_defaults(organization: Any, criterion_model: Any, policy_model: Any) -> int:
    """Add what the organization lacks (criteria by code, the policy); return how many criteria were added.

    An organization that already has criteria keeps them as they are: the defaults are a start, not a
    reference the company's edits are compared with.
    """
    added = 0
    if not criterion_model.objects.filter(organization=organization).exists():
        rows = default_criteria()
        # Two first runs at once meet on the unique code: the second adds nothing.
        criterion_model.objects.bulk_create(
            [criterion_model(organization=organization, **row) for row in rows], ignore_conflicts=True
        )
        added = len(rows)
    policy_model.objects.get_or_create(organization=organization)
    return added
