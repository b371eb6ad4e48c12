"""Unguessable tokens for links and keys: the clear text is given once, only its SHA-256 is stored."""

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    """A token of 256 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored and looked up: the token's SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()
