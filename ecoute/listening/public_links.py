"""Anonymous links to a survey, for a website or a QR code printed on a receipt.

Like every token, a link's is shown once, when the link is made, and only its SHA-256 is kept: its
QR code is downloaded then. A lost link is deactivated and a new one made.
"""

import io

import segno

from ecoute.lib.tokens import new_token, token_digest
from ecoute.listening.models import PublicLink, Survey

QR_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def create_public_link(survey: Survey, label: str) -> tuple[PublicLink, str]:
    """A new active link and its token, which is not kept."""
    token = new_token()
    link = PublicLink.objects.create(
        organization_id=survey.organization_id,
        survey=survey,
        label=label.strip(),
        token_hash=token_digest(token),
    )
    return link, token


def holds_token(link: PublicLink, token: str) -> bool:
    return bool(token) and token_digest(token) == link.token_hash


def qr_code(url: str, kind: str) -> bytes:
    """The QR code of `url`, SVG or PNG, with the quiet zone readers need and medium error correction
    (a receipt may be creased)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=8, border=4, xmldecl=True, svgclass=None, lineclass=None)
    else:
        code.save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def qr_preview(url: str) -> str:
    """A data: URI of the SVG, to show the code on the page that made it (img-src allows data:)."""
    return str(segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4))
