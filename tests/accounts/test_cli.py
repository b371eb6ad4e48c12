"""The `ecoute org` and `ecoute user` commands."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ecoute.accounts.management.commands.org import Command as OrgCommand
from ecoute.accounts.management.commands.user import Command as UserCommand
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


def test_user_create_on_an_existing_member_changes_the_role_and_says_the_account_was_updated(
    db: None,
) -> None:
    # Given an organization with two owners
    org = Organization.objects.create(slug="deux", name="Deux")
    for email in ("une@deux.fr", "autre@deux.fr"):
        call_command(
            "user", "create", email, "--org", "deux", "--role", "owner", "--password", "Deux-patronnes-22"
        )
    # When the operator makes one of them an analyst, in French
    out = StringIO()
    with translation.override("fr"):
        call_command("user", "create", "une@deux.fr", "--org", "deux", "--role", "analyst", stdout=out)
    # Then the role changed, and one complete sentence says so
    assert Membership.objects.get(organization=org, user__email="une@deux.fr").role == Role.ANALYST
    assert out.getvalue().strip() == "une@deux.fr : compte mis à jour, rôle Analyste dans deux."


def test_user_create_keeps_the_last_owner_of_an_organization(db: None) -> None:
    # Given an organization with one owner
    call_command("org", "create", "seule", "--name", "Seule")
    call_command(
        "user",
        "create",
        "chef@seule.fr",
        "--org",
        "seule",
        "--role",
        "owner",
        "--password",
        "Une-seule-chef-1",
    )
    # When the operator makes that owner a viewer
    # Then the command refuses, and the owner stays
    with translation.override("en"), pytest.raises(CommandError, match="at least one owner"):
        call_command("user", "create", "chef@seule.fr", "--org", "seule", "--role", "viewer")
    assert Membership.objects.get(user__email="chef@seule.fr").role == Role.OWNER


def test_the_help_of_the_commands_is_translated() -> None:
    # When the help of `org` and `user` is asked in French
    with translation.override("fr"):
        org_help = OrgCommand().create_parser("ecoute", "org").format_help()
        user_help = UserCommand().create_parser("ecoute", "user").format_help()
    # Then it reads in French
    assert "Gérer les organisations" in org_help
    assert "Créer une organisation." in org_help
    assert "Gérer les personnes" in user_help
