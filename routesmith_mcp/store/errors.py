"""The store layer's exceptions: one base type the server/CLI turns into a user-facing message."""

from __future__ import annotations


class StoreError(Exception):
    """The telemetry store cannot do what was asked; the message says what to do about it."""


class StoreInputError(StoreError):
    """A value passed to the store is invalid; the message says which field and how to fix it."""
