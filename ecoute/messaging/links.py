"""Links made at the moment a message is sent, so that no clear token is ever stored.

An app that queues a message whose body must carry a personal link (a survey's) writes placeholders
such as `{survey_url}` in the bodies and sets the message's `subject_ref` ("invitation:42"). It
registers, when it starts, a link maker for that prefix:

    from ecoute.messaging import links
    links.register("invitation", survey_links)

At each attempt the sender asks the maker for the links of the message: the maker makes fresh tokens,
keeps only their digests, and returns placeholder → address. The stored bodies keep the placeholders.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecoute.messaging.models import Message

type LinkMaker = Callable[["Message"], dict[str, str]]

_makers: dict[str, LinkMaker] = {}


def register(prefix: str, maker: LinkMaker) -> LinkMaker:
    """Make the links of messages whose subject_ref starts with `prefix:`; a later maker replaces one."""
    _makers[prefix] = maker
    return maker


def links_of(message: "Message") -> dict[str, str]:
    """Placeholder → address for `message`, made now; {} when no maker knows its subject."""
    prefix, _, rest = message.subject_ref.partition(":")
    maker = _makers.get(prefix)
    return maker(message) if maker is not None and rest else {}
