"""Every file of the import corpus has its expected outcome, and its dry run predicts the real run."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ecoute.accounts.models import Organization
from ecoute.customers.models import ImportJob
from tests.data.corpus import Case, all_cases


def _run(case: Case, path: Path, org: Organization, *extra: str) -> tuple[bool, str, ImportJob]:
    out, err = StringIO(), StringIO()
    args = [case.kind, str(path), "--org", org.slug, "--language", case.language, *case.args, *extra]
    try:
        call_command("import", *args, stdout=out, stderr=err)
        succeeded, said = True, out.getvalue() + err.getvalue()
    except CommandError as error:
        succeeded, said = False, f"{error}\n{out.getvalue()}{err.getvalue()}"
    return succeeded, said, ImportJob.objects.filter(organization=org).latest("pk")


def _report(job: ImportJob) -> tuple[object, ...]:
    return (job.rows_total, job.rows_written, job.rows_duplicate, job.rows_rejected, job.errors, job.notes)


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.name)
def test_each_corpus_file_has_its_expected_outcome(case: Case, tmp_path: Path, org: Organization) -> None:
    # Given the file, and what it refers to
    if case.given is not None:
        case.given(org)
    path = case.build(tmp_path)
    original = path.read_bytes()
    # When it is checked, then imported
    checked, _said, dry = _run(case, path, org, "--dry-run")
    succeeded, said, real = _run(case, path, org)
    # Then the outcome is the expected one
    expected = case.expected
    assert succeeded is expected.succeeds, said
    for fragment in expected.says:
        assert fragment in said, said
    if expected.written is not None:
        assert real.rows_written == expected.written, said
    if expected.rejected is not None:
        assert real.rows_rejected == expected.rejected, said
    if expected.stored is not None:
        expected.stored(org)
    # and the dry run said exactly what the import did
    assert checked is succeeded, said
    assert _report(dry) == _report(real)
    # and the file given is never touched
    assert path.read_bytes() == original
