"""The label of a Loona demo pass (under its QR code on the Demo tab), in the chosen language.

The sandbox serves the labels (``LoonaApp.info``) and builds them here, in the language of the
process that runs it: a sandbox shared by another process on this machine speaks that
process's language (the same settings choose the same one). Level names and holders are
Loona's data and stay as they are.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from pos_app.core import formatting
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.services.loona.seed import LEVELS

#: Pass type -> what the pass is.
KINDS = {"DISCOUNT": N_("Discount card"), "BONUS": N_("Bonus card"),
         "GIFT": N_("Gift certificate"), "COUPON": N_("Coupon"), "CHOP": N_("Chop card")}
#: A pass's status other than ACTIVE (Loona's word, lower case, when it is not listed).
STATUSES = {"INCOMPLETE": N_("not activated"), "USED": N_("used"), "EXPIRED": N_("expired"),
            "BLOCKED": N_("blocked")}
#: What the pass's QR code holds.
QR_MODES = {"id": N_("QR holds the pass id"), "static": N_("static QR"),
            "dynamic": N_("dynamic QR")}


class DemoPass(Protocol):
    """What a label is made of (the sandbox's pass)."""

    type: str
    qr_mode: str
    balance: Decimal | None
    discount: int | None
    max_spend_percent: int | None
    level: int | None
    chops: int | None
    chops_required: int | None
    rewards_available: int | None

    @property
    def effective_status(self) -> str: ...


def label(item: DemoPass) -> str:
    """What ``item`` is: its type, figures, level, status and kind of QR code."""
    parts = [_(KINDS[item.type])]
    if item.type == "DISCOUNT":
        # i18n: a discount rate in percent
        parts.append(_("{number} %").format(number=formatting.number(item.discount)))
    if item.balance is not None:
        parts.append(_("balance {amount}").format(amount=formatting.money(item.balance)))
    if item.max_spend_percent and item.type == "BONUS":
        parts.append(_("spend up to {number} %").format(
            number=formatting.number(item.max_spend_percent)))
    if item.level is not None:
        parts.append(LEVELS[item.level - 1][1])
    if item.type == "CHOP":
        most = item.chops_required or 0
        parts.append(ngettext("{count} of {max} chop", "{count} of {max} chops", most)
                     .format(count=formatting.number(item.chops), max=formatting.number(most)))
        rewards = item.rewards_available or 0
        # i18n: rewards the card holds (English writes one form for any count)
        parts.append(ngettext("{count} reward(s)", "{count} reward(s)", rewards)
                     .format(count=formatting.number(rewards)))
    status = item.effective_status
    if status != "ACTIVE":
        known = STATUSES.get(status)
        parts.append(_(known) if known else status.lower())
    parts.append(_(QR_MODES[item.qr_mode]))
    return ", ".join(parts)
