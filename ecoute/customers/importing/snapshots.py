"""What an import overwrites is kept first, so that the import can be undone (see import_undo.py).

Only when a batch meets rows that exist: a first import writes without looking (see writers.py), and
keeps nothing. Then, in the batch's own transaction and in one statement, the rows of the batch's keys
that another import or the API wrote last are copied, the columns the import updates as a JSON object,
to ImportSnapshot. A row this import already wrote (a key repeated in the file, a resumed run) is not
copied again: its snapshot, if it had one, was taken the first time.
"""

from collections.abc import Sequence

from django.db import connection, models

from ecoute.customers.import_job import ImportSnapshot

CHUNK = 5000


def keep_prior_rows(
    model: type[models.Model], columns: Sequence[str], organization_id: int, keys: Sequence[str], job_id: int
) -> None:
    """Copy `columns` of the rows of `model` with these external ids, as they are, to the job's snapshots."""
    if not columns or not keys:
        return
    table, snapshots = model._meta.db_table, ImportSnapshot._meta.db_table
    postgresql = connection.vendor == "postgresql"
    json_columns = {f.column for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}
    pairs = ", ".join(
        f"'{column}', "
        + (f'json("{column}")' if column in json_columns and not postgresql else f'"{column}"')
        for column in columns
    )
    as_object = f"jsonb_build_object({pairs})" if postgresql else f"json_object({pairs})"
    select = (
        f'INSERT INTO "{snapshots}" (job_id, row_id, prior) '  # noqa: S608 - our own column names
        f'SELECT %s, id, {as_object} FROM "{table}" WHERE organization_id = %s '
        "AND (imported_by IS NULL OR imported_by <> %s) AND external_id "
    )
    conflict = " ON CONFLICT (job_id, row_id) DO NOTHING"
    with connection.cursor() as cursor:
        for start in range(0, len(keys), CHUNK):
            chunk = list(keys[start : start + CHUNK])
            if postgresql:
                cursor.execute(select + "= ANY(%s)" + conflict, [job_id, organization_id, job_id, chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(select + f"IN ({marks})" + conflict, [job_id, organization_id, job_id, *chunk])
