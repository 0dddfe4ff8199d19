"""Typed errors, each carrying a plain message for the cashier and the next step to take.

Adapters turn every wire failure into one of these; nothing else should reach a view or the
command line. ``str(error)`` is what a cashier reads.
"""

from __future__ import annotations

from pos_app.core.i18n import N_, _


class PosError(Exception):
    """Base of every error the app reports to a person.

    ``message`` says what happened, ``hint`` what to do next. ``applied`` tells whether the
    operation may have changed the card: ``False`` (certainly not), ``None`` (unknown).
    """

    #: What to do next when the raiser says nothing (English, marked: shown translated).
    default_hint = ""
    applied: bool | None = False

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is None:
            hint = _(self.default_hint) if self.default_hint else ""
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message

    @property
    def kind(self) -> str:
        """A stable machine name for the error (for ``--json`` output and tests)."""
        name = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class InvalidInput(PosError):
    """What the cashier typed or scanned cannot be used; nothing was sent."""

    default_hint = N_("Nothing was sent.")


class InvalidAmount(InvalidInput):
    """An amount or count that is negative, zero, not a number or absurd."""


class InvalidCode(InvalidInput):
    """A scanned or typed code that no configured service can take."""


class ConfigError(PosError):
    """The settings are incomplete or wrong."""

    default_hint = N_("Check the settings.")


class ServiceError(PosError):
    """Base of failures reported by or about a service."""

    def __init__(self, message: str, hint: str | None = None, *, service: str = "") -> None:
        super().__init__(message, hint)
        self.service = service


class CardNotFound(ServiceError):
    default_hint = N_("Check the code, or scan the card again.")


class ForeignCard(ServiceError):
    default_hint = N_("The customer must use it where it was issued.")


class AuthError(ServiceError):
    default_hint = N_("Check the service credentials in the settings.")


class MissingParameter(ServiceError):
    default_hint = N_("This is a fault in the app; nothing was changed. Please report it.")


class ClientExists(ServiceError):
    default_hint = N_("Find the customer by phone or email instead.")

    def __init__(self, message: str, hint: str | None = None, *, service: str = "",
                 user_id: str | None = None) -> None:
        super().__init__(message, hint, service=service)
        self.user_id = user_id


class NotSupported(ServiceError):
    """The card does not support this operation now (kind or state)."""

    default_hint = N_("Nothing was changed.")


class Refused(ServiceError):
    """The service refused the operation on its own rules (balance, limits, coupon state)."""

    default_hint = N_("Nothing was changed.")


class CardChanged(Refused):
    """The card's value changed elsewhere since it was read: nothing was written.

    ``current`` is the value the service shows now, for the cashier to look at and confirm
    the operation again against it.
    """

    default_hint = N_("Look at the card's new value and confirm again; nothing was changed.")

    def __init__(self, message: str, hint: str | None = None, *, service: str = "",
                 current: object = None) -> None:
        super().__init__(message, hint, service=service)
        self.current = current


class StaleCode(ServiceError):
    """A dynamic QR code that has already been used or replaced."""

    default_hint = N_("Ask the customer to refresh the card in their wallet and scan it again.")


class IdempotencyConflict(ServiceError):
    default_hint = N_("Nothing was changed; start the operation again.")


class ServiceUnavailable(ServiceError):
    """The service could not be reached or answered with a failure: nothing was applied."""

    default_hint = N_("Check the network and try again; nothing was charged.")


class RateLimited(ServiceUnavailable):
    def __init__(self, message: str, hint: str | None = None, *, service: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(message, hint, service=service)
        self.retry_after = retry_after


class BadResponse(ServiceError):
    """The service answered something that is not what its contract says."""

    default_hint = N_("Try again; if it keeps happening, the service may be misconfigured.")


class AwaitingCashier(ServiceError):
    """An operation left open before a step only the cashier may send (a hold to confirm or
    cancel): nothing more is sent until they finish or cancel it."""

    applied = None
    default_hint = N_("Finish or cancel it from the journal when the customer is at the till.")


class FinishAtService(AwaitingCashier):
    """An open operation the till cannot finish (the service gave no code for it)."""

    default_hint = N_("Finish or cancel it in the service's own back office.")


class OutcomeUnknown(ServiceError):
    """The request was sent but its answer was lost: it may or may not have been applied.

    ``landing`` says that no answer came at all (a timeout, a lost connection): the service may
    still be working on the request, and it may land later.
    """

    applied = None
    default_hint = N_("Do not repeat it by hand: the app checks the card before trying again.")

    def __init__(self, message: str, hint: str | None = None, *, service: str = "",
                 landing: bool = False) -> None:
        super().__init__(message, hint, service=service)
        self.landing = landing


class Busy(ServiceError):
    """Another window or command on this till is finishing the operation right now."""

    default_hint = N_("It is left to it; look again in a moment.")

class StorageError(PosError):
    """A file or folder of the app's own (the journal, the data folder) cannot be used: the
    message names it and says why (damaged, read-only, disk full)."""
