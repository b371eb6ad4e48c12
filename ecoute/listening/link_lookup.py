"""The invitation behind a link's token: the query every step of every respondent starts with.

One statement, on unique indexes only: the invitation whose own token (the first e-mail's) has the
digest, or the one a later e-mail's link points to (a scalar subquery on the links' token index),
with its survey, customer, organization and response (if started). Only SHA-256 digests are
compared, never a token; a link that cannot be answered (unknown, expired, used, revoked, its survey
closed) costs the same one query as any other and gives the same None.

The statement is written once per process from the models' columns, and its rows become model
instances through the fields' own converters, as the ORM makes them: compiling this five-table query
with the ORM at each request cost many times what running it does. On PostgreSQL it is a prepared
statement (ecoute.lib.prepared): planning its five tables cost 1.5 ms, five times its run. The rules
are those of `answering.answerable_invitations` (tests hold them together).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.lib.prepared import prepared_cursor
from ecoute.listening.models import Invitation, InvitationLink, Response, Survey, SurveyStatus

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Table:
    model: type[Model]
    alias: str
    fields: tuple[Field[Any, Any], ...]
    converters: tuple[tuple[Col, tuple[Converter, ...]], ...]

    @property
    def attnames(self) -> list[str]:
        return [field.attname for field in self.fields]


def _table(model: type[Model], alias: str) -> _Table:
    fields = tuple(model._meta.concrete_fields)
    converters = []
    for field in fields:
        column = Col(alias, field)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((column, tuple(found)))
    return _Table(model, alias, fields, tuple(converters))


@cache
def _statement(vendor: str, statuses: tuple[str, ...]) -> tuple[str, tuple[_Table, ...]]:
    """The SELECT and the tables it reads, in the order of its columns (one per database vendor)."""
    quote = connection.ops.quote_name
    tables = (
        _table(Invitation, "i"),
        _table(Survey, "s"),
        _table(Customer, "c"),
        _table(Organization, "o"),
        _table(Response, "r"),
    )
    columns = ", ".join(
        f"{table.alias}.{quote(field.column or field.attname)}" for table in tables for field in table.fields
    )
    name = {table.alias: quote(table.model._meta.db_table) for table in tables}
    links = quote(InvitationLink._meta.db_table)
    listed = ", ".join(["%s"] * len(statuses))
    sql = (
        f"SELECT {columns} FROM {name['i']} i "  # noqa: S608 — names from the models, values bound
        f"JOIN {name['s']} s ON s.id = i.survey_id "
        f"JOIN {name['c']} c ON c.id = i.customer_id "
        f"JOIN {name['o']} o ON o.id = i.organization_id "
        f"LEFT JOIN {name['r']} r ON r.invitation_id = i.id "
        f"WHERE (i.token_hash = %s "
        f"OR i.id = (SELECT invitation_id FROM {links} WHERE token_hash = %s LIMIT 1)) "
        f"AND i.status IN ({listed}) AND (i.expires_at IS NULL OR i.expires_at > %s) "
        "AND s.status <> %s AND r.completed_at IS NULL LIMIT 1"
    )
    return sql, tables


def _instance(table: _Table, values: Sequence[Any]) -> Model:
    converted = []
    for raw, (column, converters) in zip(values, table.converters, strict=True):
        value = raw
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return table.model.from_db(connection.alias, table.attnames, converted)


def open_invitation(digest: str, statuses: tuple[str, ...], now: datetime) -> Invitation | None:
    """The answerable invitation of a token's digest, its relations filled; None when there is none."""
    sql, tables = _statement(connection.vendor, statuses)
    expires = connection.ops.adapt_datetimefield_value(now)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [digest, digest, *statuses, expires, str(SurveyStatus.CLOSED)])
        row = cursor.fetchone()
    if row is None:
        return None
    instances = []
    start = 0
    for table in tables:
        values = row[start : start + len(table.fields)]
        start += len(table.fields)
        instances.append(None if values[0] is None else _instance(table, values))
    invitation, survey, customer, organization, response = instances
    if not isinstance(invitation, Invitation):
        return None
    invitation.survey = survey  # type: ignore[assignment]
    invitation.customer = customer  # type: ignore[assignment]
    invitation.organization = organization  # type: ignore[assignment]
    Invitation.response.related.set_cached_value(invitation, response)
    if response is not None:
        response.invitation = invitation  # type: ignore[attr-defined]
    return invitation
