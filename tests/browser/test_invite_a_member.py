"""An owner invites a colleague from the members page; the colleague accepts in their own browser."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import Membership, Role
from tests.chromium import log_in, screenshot
from tests.smtp_sink import SmtpSink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_invites_a_colleague_who_accepts_and_lands_in_the_organization(
    page: Page, browser: Browser, live_server: LiveServer, owner: Membership, smtp_sink: SmtpSink
) -> None:
    # Given an owner logged in
    log_in(page, live_server.url, owner.user.email)

    # When they invite a colleague as an analyst from the members page
    page.get_by_role("link", name="Membres").click()
    form = page.locator("form", has=page.get_by_role("button", name="Envoyer l’invitation"))
    form.get_by_label("E-mail").fill("claire@maison.fr")
    form.get_by_label("Rôle").select_option(Role.ANALYST)
    form.get_by_role("button", name="Envoyer l’invitation").click()

    # Then the page lists the colleague as invited, not as a member
    expect(page.get_by_text("Une invitation a été envoyée à claire@maison.fr.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("claire@maison.fr"))).to_contain_text("invité·e")
    screenshot(page, "members-invited")
    assert not Membership.objects.filter(user__email="claire@maison.fr").exists()

    # And the colleague, in their own browser, follows the link, chooses a password and accepts
    body = smtp_sink.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"https?://\S+/accounts/invitations/\S+/", body)
    assert link is not None
    context = browser.new_context(locale="fr-FR")
    colleague = context.new_page()
    colleague.goto(link.group(0))
    expect(colleague.get_by_role("heading", name="Rejoindre Maison Lumière")).to_be_visible()
    colleague.get_by_label("Prénom").fill("Claire")
    colleague.get_by_label(re.compile(r"^Mot de passe\W*$")).fill("Une-belle-journee-2026")
    colleague.get_by_label("Mot de passe (confirmation)").fill("Une-belle-journee-2026")
    screenshot(colleague, "invitation-accept")
    colleague.get_by_role("button", name="Accepter l’invitation").click()

    # Then the colleague lands in the organization, and is an analyst of it
    expect(colleague.get_by_role("navigation", name="Principal")).to_be_visible()
    assert Membership.objects.get(user__email="claire@maison.fr").role == Role.ANALYST
    context.close()
