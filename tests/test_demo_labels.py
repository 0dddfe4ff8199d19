"""The Demo tab's card labels, as the sandbox serves them, come out in the till's language:
English as before, Russian with no English word but the services' own names (programs, tiers,
the loyalty card's title), with Russian plurals and numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from pos_app.core.sandbox.runner import Sandbox, start_sandbox
from pos_app.core.services.cpextender.seed import DEMO as CP
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.loona.seed import LEVELS
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.services.mews.seed import DEMO as MEWS
from pos_app.core.services.mews.seed import seed_state
from pos_app.core.services.vmob.seed import DEMO as VMOB
from pos_app.core.services.vmob.seed import LOYALTY_CARDS

SERVICES = ("luna", "loona", "cpextender", "vmob", "mews")
#: Latin words a Russian label keeps: service and product names, a wire field, "QR".
LATIN = {"QR", "vmob", "Counterpoint", "AuthCode"}
NB = "\u00a0"


def _names() -> list[str]:
    """The services' own names a label may show (longest first, so "Harbour Club" goes
    before "Club")."""
    mews = seed_state()
    names = [level[1] for level in LEVELS] + [c["title"] for c in LOYALTY_CARDS.values()]
    names += [p["Name"] for p in mews["programs"]] + [t["Name"] for t in mews["tiers"]]
    return sorted(set(names), key=len, reverse=True)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = start_sandbox()
    try:
        yield box
    finally:
        box.stop()


def _labels(box: Sandbox) -> dict[str, dict[str, str]]:
    """Service -> card code -> label."""
    found: dict[str, dict[str, str]] = {name: {} for name in SERVICES}
    for card in box.demo_cards():
        found[card["service"]][card["code"]] = card["label"]
    return found


def test_english_labels_are_as_before(sandbox: Sandbox) -> None:
    labels = _labels(sandbox)
    assert labels["luna"][LUNA["stamps"]] == "Stamps card, 5 of 10 stamps, 1 reward ready"
    assert labels["luna"][LUNA["foreign"]] == "Stamps card, 4 of 10 stamps, another company's card"
    assert "Subscription, 6 of 10 visits left, 9 points" in labels["luna"].values()
    assert labels["loona"][LOONA["bonus"]] == (
        "Bonus card, balance 350.00, spend up to 30 %, Silver, static QR")
    assert labels["loona"][LOONA["chop_reward"]] == (
        "Chop card, 2 of 6 chops, 1 reward(s), static QR")
    assert labels["loona"][LOONA["coupon_new"]] == "Coupon, not activated, static QR"
    assert labels["cpextender"][CP["held"]] == (
        "504 points to spend; 1,504 points, 1,000 on hold for a web order")
    assert labels["cpextender"][CP["not_enrolled"]] == (
        "A Counterpoint customer not enrolled in loyalty")
    assert labels["vmob"][VMOB["last_card"]] == (
        "vmob consumer, Coffee card, 9 of 10 points on the last card instance allowed")
    assert "vmob offer code: Free pastry with a coffee" in labels["vmob"].values()
    assert labels["mews"][MEWS["member"]] == "Harbour Club Gold, 340 points, enrolled"
    assert labels["mews"][MEWS["new"]] == "Spa Circle, 0 points, new"


@pytest.mark.usefixtures("russian")
def test_russian_labels_have_no_english_but_names(sandbox: Sandbox) -> None:
    labels = _labels(sandbox)
    assert all(labels[name] for name in SERVICES), labels
    names = _names()
    for service, by_code in labels.items():
        for text in by_code.values():
            rest = text
            for name in names:
                rest = rest.replace(name, " ")
            english = [w for w in re.findall(r"[A-Za-z]{2,}", rest) if w not in LATIN]
            assert not english, f"{service}: {text!r} has {english}"


@pytest.mark.usefixtures("russian")
def test_russian_labels_count_and_write_numbers_as_russians_do(sandbox: Sandbox) -> None:
    labels = _labels(sandbox)
    luna = labels["luna"]
    assert luna[LUNA["stamps"]] == "Карта со штампами, 5 из 10 штампов, 1 награда к выдаче"
    assert luna[LUNA["certificate"]] == f"Сертификат, баланс 1{NB}500"
    assert luna[LUNA["discount"]] == f"Скидочная карта, скидка 5{NB}%"
    assert luna[LUNA["deleted"]].endswith(", удалена из кошелька")
    loona = labels["loona"]
    assert loona[LOONA["bonus"]] == (
        f"Бонусная карта, баланс 350,00{NB}₽, списание до 30{NB}%, Silver, статический QR")
    assert loona[LOONA["chop"]].startswith("Карта со штампами и наградами, 3 из 10 штампов, "
                                           "0 наград")
    assert ", 1 награда, " in loona[LOONA["chop_reward"]]
    cp = labels["cpextender"]
    assert cp[CP["held"]].startswith("504 балла к списанию; ")
    assert cp[CP["plenty"]].startswith(f"2{NB}500 баллов к списанию; ")
    vmob = labels["vmob"]
    assert vmob[VMOB["fresh"]] == "Клиент vmob, Coffee card, 0 из 10 баллов"
    assert "Код предложения vmob: Выпечка в подарок к кофе" in vmob.values()
    mews = labels["mews"]
    assert mews[MEWS["spend"]] == f"Harbour Club Platinum, 1{NB}200 баллов, действует"
    assert mews[MEWS["canceled"]] == "Harbour Club Silver, 80 баллов, отменена"


@pytest.mark.usefixtures("russian")
def test_a_label_follows_the_card_in_russian_plural_forms(sandbox: Sandbox) -> None:
    """The label is built from the sandbox's state each time it is asked for."""
    app = sandbox.server("luna").app
    card = app.db["passes"][LUNA["stamps_nine"]]
    template = app.db["templates"][str(card["template"])]
    expected = {(1, 10, 0): "1 из 10 штампов", (1, 1, 2): "1 из 1 штампа, 2 награды к выдаче",
                (3, 21, 5): "3 из 21 штампа, 5 наград к выдаче",
                (0, 3, 21): "0 из 3 штампов, 21 награда к выдаче"}
    for (stamps, most, rewards), text in expected.items():
        with app.lock:
            card.update(activeStamps=stamps, unusedRewards=rewards)
            template["maxStamps"] = most
        assert _labels(sandbox)["luna"][LUNA["stamps_nine"]] == f"Карта со штампами, {text}"
