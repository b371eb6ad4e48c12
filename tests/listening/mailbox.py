"""Reading the e-mails a real SMTP server received, as a customer's mail client shows them."""

import re
from email.message import Message

SCORE_LINK = re.compile(r'href="([^"]+/s/[\w-]+/(\d+))"')


def addressed_to(received: list[Message], address: str) -> list[Message]:
    return [message for message in received if str(message["To"]) == address]


def parts(received: Message) -> tuple[str, str]:
    """The plain text and the HTML part of an e-mail."""
    bodies = {
        part.get_content_type(): bytes(part.get_payload(decode=True) or b"").decode()
        for part in received.walk()
        if part.get_content_type() in {"text/plain", "text/html"}
    }
    return bodies["text/plain"], bodies["text/html"]


def score_links(received: Message) -> dict[int, str]:
    """Score → address of the score links of an invitation's HTML part."""
    return {int(score): url for url, score in SCORE_LINK.findall(parts(received)[1])}


def unsubscribe_url(received: Message) -> str:
    """The address of the e-mail's List-Unsubscribe header (long headers arrive folded)."""
    header = "".join(str(received["List-Unsubscribe"]).split())
    assert header.startswith("<")
    assert header.endswith(">")
    return header[1:-1]
