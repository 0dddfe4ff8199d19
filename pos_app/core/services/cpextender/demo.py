"""The label of a CP Extender demo customer (under its QR code on the Demo tab), in the chosen
language.

The sandbox serves the labels (``CpExtenderApp.info``) and builds them here, in the language
of the process that runs it: a sandbox shared by another process on this machine speaks that
process's language (the same settings choose the same one).
"""

from __future__ import annotations

from pos_app.core import formatting
from pos_app.core.i18n import N_, _, ngettext

#: Demo name (``seed.DEMO``) -> what the demo customer shows (as the seed makes them).
DESCRIPTIONS: dict[str, str] = {
    "held": N_("1,504 points, 1,000 on hold for a web order"),
    "plenty": N_("2,500 points, no holds"),
    "history": N_("A long history (120 rows), 50 points pending"),
    "empty": N_("No points left to spend"),
    # i18n: AuthCode is a field of Counterpoint's answer
    "web": N_("Holds come back without an AuthCode (finish them in Counterpoint)"),
    "not_enrolled": N_("A Counterpoint customer not enrolled in loyalty"),
}


def label(name: str, available: int | None) -> str:
    """What the demo customer ``name`` is, after the points it has to spend (``None``: not
    enrolled in loyalty)."""
    description = _(DESCRIPTIONS[name])
    if available is None:
        return description
    return ngettext("{count} point to spend; {description}",
                    "{count} points to spend; {description}", available).format(
        count=formatting.number(available), description=description)
