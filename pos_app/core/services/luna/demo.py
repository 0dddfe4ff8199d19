"""The label of a Luna demo card (under its QR code on the Demo tab), in the chosen language.

The sandbox serves the labels (``LunaApp.info``) and builds them here, in the language of the
process that runs it: a sandbox shared by another process on this machine speaks that
process's language (the same settings choose the same one). Template names and holders are
Luna's data and stay as they are.
"""

from __future__ import annotations

from typing import Any

from pos_app.core import formatting
from pos_app.core.i18n import N_, _, ngettext, pgettext

#: Card type -> what the card is.
KINDS = {0: N_("Stamps card"), 1: N_("Cashback card"), 2: N_("Subscription"), 3: N_("Coupon"),
         4: N_("Discount card"), 5: N_("Certificate"), 6: N_("Membership card")}
#: A card's status other than "installed" (Luna's word is shown when it is not listed).
STATUSES = {"deleted": N_("deleted"), "not installed": N_("not installed")}


def label(card: dict[str, Any], template: dict[str, Any], percent: int, *, own: bool) -> str:
    """What ``card`` of ``template`` is: its type, its figures, its status, whose it is.

    ``percent`` is the cashback or discount its total spent earns; ``own`` whether it is the
    shop's company's card.
    """
    kind = template["type"]
    parts = [_(KINDS[kind])]
    if kind == 0:
        most = template["maxStamps"]
        parts.append(ngettext("{count} of {max} stamp", "{count} of {max} stamps", most)
                     .format(count=formatting.number(card["activeStamps"]),
                             max=formatting.number(most)))
        if card["unusedRewards"]:
            rewards = card["unusedRewards"]
            parts.append(ngettext("{count} reward ready", "{count} rewards ready", rewards)
                         .format(count=formatting.number(rewards)))
    elif kind == 1:
        parts.append(_points(card["amountMoneyBonus"]))
        parts.append(_("{percent} cashback").format(percent=formatting.percent(percent)))
    elif kind == 2:
        most = template["maxStamps"]
        parts.append(ngettext("{count} of {max} visit left", "{count} of {max} visits left",
                              most).format(count=formatting.number(card["activeStamps"]),
                                           max=formatting.number(most)))
        parts.append(_points(card["numberScores"]))
    elif kind == 4:
        # i18n: after the card type, lower case (a part of a list)
        parts.append(pgettext("list part", "{percent} discount").format(
            percent=formatting.percent(percent)))
    elif kind == 5:
        parts.append(_("balance {amount}").format(
            amount=formatting.number(card["amountMoneyBonus"])))
    if card["status"] != "installed":
        status = STATUSES.get(card["status"])
        parts.append(_(status) if status else card["status"])
    if not own:
        parts.append(_("another company's card"))
    return ", ".join(parts)


def _points(count: int) -> str:
    return ngettext("{count} point", "{count} points", count).format(
        count=formatting.number(count))
