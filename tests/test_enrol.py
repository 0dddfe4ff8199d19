"""Enrolling a customer and issuing a card: core and command line, over real HTTP to the
in-process sandbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from pos_app.cli.main import main
from pos_app.core.backends.base import CardTemplate
from pos_app.core.cards import CardKind, Holder
from pos_app.core.counter import Counter
from pos_app.core.errors import ConfigError, InvalidInput, OutcomeUnknown, Refused
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.services import names as service_names
from pos_app.core.services.loona.adapter import LoonaBackend
from pos_app.core.services.luna.seed import DEMO_TEMPLATES
from pos_app.core.settings import load_settings

STAMPS = str(DEMO_TEMPLATES["stamps"])
NEW = Holder("Ivan", "Petrov", "+7 (900) 123-45-67", "ivan.petrov@example.com")


@pytest.fixture
def counter() -> Iterator[Counter]:
    c = Counter.open(load_settings())
    yield c
    c.close()


def _server(counter: Counter, service: str) -> Any:
    return getattr(counter.sandbox, service)


def _sent(counter: Counter) -> tuple[int, int]:
    return len(counter.sandbox.luna.requests), len(counter.sandbox.loona.requests)


# -- core ----------------------------------------------------------------------------------------


def test_templates_of_every_service(counter: Counter) -> None:
    templates = counter.templates()
    assert CardTemplate("luna", STAMPS, "Coffee: every 10th cup free", "Stamp card") in templates
    assert CardTemplate("loona", "12", "Discount 5%", "Discount card") in templates
    assert {t.service for t in templates} == (
        set(service_names()) - {"vmob", "cpextender"})  # they do not enrol


def test_luna_new_customer_gets_a_new_card(counter: Counter,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pos_app.core.counter")
    card = counter.enrol("luna", STAMPS, NEW)
    assert card.service == "luna" and card.kind is CardKind.STAMPS
    assert card.holder is not None and card.holder.name == "Ivan Petrov"
    assert card.stamps is not None and card.stamps.current == 0
    ledger = _server(counter, "luna").app.ledger
    assert [row["action"] for row in ledger] == ["createClient", "createPass"]
    assert ledger[0]["body"]["phone"] == 79001234567 and ledger[0]["body"]["fName"] == "Ivan"
    assert ledger[1]["card"] == card.code
    assert counter.lookup(card.code).card_id == card.card_id
    assert counter.journal.entries() == [], "enrolling is not a loyalty-value operation"
    logged = [r.getMessage() for r in caplog.records if "enrolled" in r.getMessage()]
    assert len(logged) == 1 and card.code in logged[0] and "Ivan P." in logged[0]
    assert "Petrov" not in logged[0] and "123-45-67" not in logged[0]


def test_luna_existing_customer_still_gets_a_card(counter: Counter) -> None:
    luna = counter.backend("luna")
    user = luna.wire.create_client("Ivan", "Petrov", int(STAMPS), phone=NEW.phone)  # type: ignore
    card = counter.enrol("luna", STAMPS, Holder("Ivan", "Petrov", "+79001234567"))
    ledger = _server(counter, "luna").app.ledger
    # The second createClient was answered with error 5 (nothing recorded): the card is
    # issued to the customer Luna named.
    assert [row["action"] for row in ledger] == ["createClient", "createPass"]
    assert ledger[1]["body"]["userID"] == user
    creates = [r for r in _server(counter, "luna").requests if r["path"].endswith("createClient")]
    assert len(creates) == 2
    assert card.holder is not None and card.holder.name == "Ivan Petrov"


def test_loona_new_pass_with_placeholders(counter: Counter) -> None:
    card = counter.enrol("loona", "14", Holder("Anna", "", "+7 912 000 11 22", "anna@example.com"))
    assert card.service == "loona" and card.kind is CardKind.POINTS
    assert card.holder is not None and card.holder.name == "Anna"
    ledger = _server(counter, "loona").app.ledger
    assert [row["action"] for row in ledger] == ["create"]
    body = ledger[0]["body"]
    assert body["templateId"] == 14
    assert body["placeholderValues"] == [
        {"name": "firstName", "value": "Anna"}, {"name": "phone", "value": "+7 912 000 11 22"},
        {"name": "email", "value": "anna@example.com"}]
    assert card.code == ledger[0]["result"]["encryptedId"] != str(ledger[0]["result"]["id"])
    assert counter.lookup(card.code).card_id == card.card_id
    # A template whose QR shows the pass id: the id is the code.
    staff = counter.enrol("loona", "16", Holder("", "Kuznetsova", "+79161234567"))
    assert staff.code == staff.card_id
    assert counter.journal.entries() == []


@pytest.mark.parametrize(("service", "template", "holder", "words"), [
    ("luna", STAMPS, Holder("", "", "+79001234567"), "first or last name"),
    ("loona", "14", Holder(" ", "", "+79001234567"), "first or last name"),
    ("loona", "14", Holder("Anna"), "phone number or email"),
    ("luna", STAMPS, Holder("Ivan", "Petrov", "12345"), "not a phone number"),
    ("loona", "14", Holder("Anna", "", "+7 912 abc 11 22"), "not a phone number"),
    ("loona", "14", Holder("Anna", "", "1234567890123456"), "not a phone number"),
    ("luna", STAMPS, Holder("Ivan", "Petrov", "", "ivan.example.com"), "not an email"),
    ("luna", STAMPS, Holder("Ivan", "", "+79001234567"), "both the first and the last"),
    ("luna", "coffee", NEW, "not a Luna card template"),
    ("loona", "-3", NEW, "not a Loona card template"),
    ("loona", "14", Holder("A" * 101, "", "+79001234567"), "at most 100"),
])
def test_bad_input_sends_nothing(counter: Counter, service: str, template: str, holder: Holder,
                                 words: str) -> None:
    before = _sent(counter)
    with pytest.raises(InvalidInput) as info:
        counter.enrol(service, template, holder)
    text = str(info.value)
    assert words in text and "nothing was sent" in text.lower()
    assert _sent(counter) == before
    assert not counter.sandbox.luna.app.ledger and not counter.sandbox.loona.app.ledger


def test_refusals_and_a_lost_answer_are_said_plainly(counter: Counter) -> None:
    with pytest.raises(Refused, match="no card template 99"):
        counter.enrol("loona", "99", NEW)
    with pytest.raises(ConfigError):
        counter.enrol("nosuch", "1", NEW)
    counter.sandbox.loona.faults.add(FaultRule(FaultKind.DROP_AFTER, route="passes",
                                               method="POST"))
    with pytest.raises(OutcomeUnknown, match="find the customer by phone or email"):
        counter.enrol("loona", "12", NEW)
    assert len(counter.sandbox.loona.app.ledger) == 1  # it was issued; the answer was lost


def test_loona_templates_setting() -> None:
    def loona(templates: Any) -> LoonaBackend:
        return LoonaBackend("http://127.0.0.1:9/v1", "http://127.0.0.1:9/t", "id", "secret",
                            templates=templates)

    assert loona(None).templates() == []
    found = loona([{"id": 12, "name": "Discount 5%"}, {"id": "14", "type": "bonus"}]).templates()
    assert found == [CardTemplate("loona", "12", "Discount 5%", "Loona card"),
                     CardTemplate("loona", "14", "Template 14", "Points card")]
    for bad in ("12", [12], [{"name": "x"}], [{"id": 0}], [{"id": True}]):
        with pytest.raises(ConfigError, match="templates must be a list"):
            loona(bad)


# -- command line --------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_templates_and_enrol(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "templates", "--json")
    assert code == 0
    listed = json.loads(out)
    assert {"service": "loona", "id": "18", "name": "Gift certificate 1000",
            "kind_label": "Gift certificate"} in listed
    code, out, _ = run(capsys, "templates")
    assert code == 0 and "Coffee: every 10th cup free" in out and "Stamp card" in out

    code, out, _ = run(capsys, "enrol", "loona", "18", "--first", "John", "--last", "Doe",
                       "--phone", "+1 555 010 2030", "--json")
    assert code == 0
    card = json.loads(out)
    assert card["ok"] is True and card["service"] == "loona" and card["kind"] == "gift"
    assert card["balance"] == "1000.00" and card["holder"]["name"] == "John Doe"
    assert "2030" in card["holder"]["phone"] and "010" not in card["holder"]["phone"]
    code, out, _ = run(capsys, "card", card["code"], "--json")
    assert code == 0 and json.loads(out)["id"] == card["id"]

    code, out, _ = run(capsys, "enrol", "luna", STAMPS, "--first", "Ivan", "--last", "Petrov",
                       "--email", "ivan@example.com")
    assert code == 0 and out.startswith("Enrolled: card ") and "Stamp card" in out


def test_cli_enrol_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "enrol", "luna", STAMPS, "--first", "Ivan", "--last", "Petrov")
    assert code == 2 and "phone number or email" in err and "Traceback" not in err
    code, out, _ = run(capsys, "enrol", "loona", "12", "--last", "Doe", "--phone", "12",
                       "--json")
    assert code == 2 and json.loads(out)["error_kind"] == "invalid_input"
    code, _, err = run(capsys, "enrol", "loona", "99", "--first", "J", "--phone", "+15550102030")
    assert code == 1 and "no card template 99" in err
    code, _, err = run(capsys, "enrol", "nowhere", "1", "--first", "J", "--phone", "+15550102030")
    assert code == 4 and "not configured" in err
