"""Accounts of the people who use the web app: roles, passwords, sessions, API tokens."""
