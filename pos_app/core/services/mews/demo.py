"""The label of a Mews demo membership (under its QR code on the Demo tab), in the chosen
language.

The sandbox serves the labels (``MewsApp.info``) and builds them here, in the language of the
process that runs it: a sandbox shared by another process on this machine speaks that
process's language (the same settings choose the same one). Program and tier names and the
holders are Mews's data and stay as they are.
"""

from __future__ import annotations

from pos_app.core import formatting
from pos_app.core.i18n import N_, _, ngettext

#: A membership's state (Mews's word, lower case, when it is not listed).
STATES = {"New": N_("new"), "Pending": N_("pending"), "Enrolled": N_("enrolled"),
          "Canceled": N_("canceled"), "Declined": N_("declined")}


def label(program: str, tier: str | None, points: int, state: str) -> str:
    """What a membership of ``program`` (at ``tier``) is: its points and its state."""
    known = STATES.get(state)
    return ", ".join((
        f"{program} {tier}" if tier else program,
        ngettext("{count} point", "{count} points", points).format(
            count=formatting.number(points)),
        _(known) if known else state.lower()))
