"""Retention: activity status, lifetime models and scores, lost customers, reactivation."""
