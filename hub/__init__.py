"""Hearth: an assistive-technology hub that learns a person's routine at home."""

__version__ = "0.1.0"
