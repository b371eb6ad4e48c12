"""Écoute: customer listening and loyalty platform."""
