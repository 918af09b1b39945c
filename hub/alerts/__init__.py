"""Alerts: lifecycle, escalation, durable delivery and channels (see docs/alerts.md)."""
