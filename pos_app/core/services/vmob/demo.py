"""The labels of the vmob demo consumers and offer codes (under their QR codes on the Demo tab),
in the chosen language.

The sandbox serves the labels (``VmobApp.info``) and builds them here, in the language of the
process that runs it: a sandbox shared by another process on this machine speaks that
process's language (the same settings choose the same one). The loyalty card's title and the
holders are vmob's data and stay as they are.
"""

from __future__ import annotations

from pos_app.core.i18n import N_, _
from pos_app.core.services.vmob import seed

#: Demo consumer (``seed.DEMO``) -> what it is; ``{card}`` is the loyalty card's title.
DESCRIPTIONS: dict[str, str] = {
    "fresh": N_("{card}, 0 of 10 points"),
    "near": N_("{card}, 8 of 10 points: near a reward"),
    "last_card": N_("{card}, 9 of 10 points on the last card instance allowed"),
    "inactive": N_("{card} instance inactive"),
    "daily_points": N_("45 of 50 points allowed today already"),
    "daily_requests": N_("19 of 20 requests allowed today already"),
    "reward_fails": N_("{card}, 7 of 10 points; its reward cannot be auto-activated"),
}
#: Demo offer (``seed.OFFERS``' values) -> its title.
OFFERS: dict[str, str] = {
    "pastry": N_("Free pastry with a coffee"),
    "lunch": N_("10% off lunch"),
}


def consumer_label(name: str) -> str:
    """What the demo consumer ``name`` is."""
    card = seed.LOYALTY_CARDS[seed.LOYALTY_CARD_ID]["title"]
    return _("vmob consumer, {description}").format(
        description=_(DESCRIPTIONS[name]).format(card=card))


def offer_label(code: str) -> str:
    """What the demo offer code ``code`` is."""
    return _("vmob offer code: {title}").format(title=_(OFFERS[seed.OFFERS[code]]))
