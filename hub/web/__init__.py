"""The hub's own web server: acknowledgement links now, the carers' app later (issue 6)."""
