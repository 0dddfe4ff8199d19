"""Which service a scanned or typed code belongs to."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from pos_app.core.backends.base import Backend
from pos_app.core.errors import InvalidCode
from pos_app.core.i18n import _

#: Longer input is not a loyalty card (a scanner that ran away, a pasted document).
MAX_CODE_LENGTH = 512


def clean_code(raw: str) -> str:
    """Strip what scanners and people add around a code; refuse what cannot be a code."""
    code = raw.strip().strip("\x00")
    if not code:
        raise InvalidCode(_("The code is empty."), _("Scan the card or type its number."))
    if len(code) > MAX_CODE_LENGTH:
        raise InvalidCode(_("This is too long to be a loyalty card code."),
                          _("Scan the card's QR code again."))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in code):
        raise InvalidCode(_("The code holds characters no loyalty card has."),
                          _("Scan the card again; if the scanner types garbage, check its "
                            "keyboard layout setting."))
    return code


class Router:
    """Ask each configured service in turn whether it claims a code.

    The order is the order given: services with recognisable codes (serial numbers, a
    pattern setting) first, a catch-all that takes any code last.
    """

    def __init__(self, backends: Sequence[Backend]) -> None:
        self.backends = list(backends)

    def route(self, raw: str) -> tuple[Backend, str]:
        """The backend that claims ``raw`` and the code as that service wants it."""
        code = clean_code(raw)
        for backend in self.backends:
            claimed = backend.claim(code)
            if claimed:
                return backend, claimed
        hint = _("Check that this is one of the shop's loyalty cards, or set the service's "
                 "code pattern in the settings.")
        if not self.backends:
            raise InvalidCode(_("No service is configured to recognise this code."), hint)
        names = ", ".join(b.title for b in self.backends)
        raise InvalidCode(_("No configured service recognises this code ({services} "
                            "checked).").format(services=names), hint)
