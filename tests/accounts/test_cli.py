"""The `ecoute org` and `ecoute user` commands."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from ecoute.accounts.models import Membership, Organization, Role


def test_org_create_then_user_create_gives_a_person_who_can_log_in(db: None) -> None:
    call_command("org", "create", "fleurs", "--name", "Fleurs & Co")
    call_command(
        "user",
        "create",
        "Chef@Fleurs.fr",
        "--org",
        "fleurs",
        "--role",
        "owner",
        "--password",
        "Pivoines-en-mai-7",
    )
    membership = Membership.objects.get(user__email="chef@fleurs.fr")
    assert membership.organization.name == "Fleurs & Co"
    assert membership.role == Role.OWNER
    assert membership.user.check_password("Pivoines-en-mai-7")


def test_user_create_refuses_an_unknown_organization_and_a_weak_password(db: None) -> None:
    with pytest.raises(CommandError, match="nowhere"):
        call_command("user", "create", "a@b.fr", "--org", "nowhere", "--role", "owner", "--password", "x")
    Organization.objects.create(slug="ici", name="Ici")
    with pytest.raises(CommandError):
        call_command("user", "create", "a@b.fr", "--org", "ici", "--role", "owner", "--password", "123")


def test_org_create_refuses_a_duplicate_slug(db: None) -> None:
    call_command("org", "create", "double", "--name", "Double")
    with pytest.raises(CommandError, match="double"):
        call_command("org", "create", "double", "--name", "Double bis")


def test_the_ecoute_console_command_offers_the_same_subcommands_as_manage_py() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ecoute", "help", "import"],
        capture_output=True,
        text=True,
        check=False,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "--skip-invalid" in result.stdout
