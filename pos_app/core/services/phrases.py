"""Words more than one service's adapter says to people: a kind of card as a sentence's
subject ("A coupon cannot ..."), translated where it is shown."""

from __future__ import annotations

from pos_app.core.cards import CardKind
from pos_app.core.i18n import N_, _

#: A card of each kind as the subject of a sentence (Russian takes it as a label).
A_KIND = {
    # i18n: the subject of "… cannot spend points." (Russian: a label before a colon)
    CardKind.STAMPS: N_("A stamp card"),
    CardKind.POINTS: N_("A points card"),
    CardKind.SUBSCRIPTION: N_("A subscription"),
    CardKind.COUPON: N_("A coupon"),
    CardKind.DISCOUNT: N_("A discount card"),
    CardKind.GIFT: N_("A gift certificate"),
    CardKind.MEMBERSHIP: N_("A membership"),
    CardKind.CHOP: N_("A chop card"),
}


def a_kind(kind: CardKind) -> str:
    """``kind`` as the subject of a sentence, in the chosen language."""
    return _(A_KIND[kind])
