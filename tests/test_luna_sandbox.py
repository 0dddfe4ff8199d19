"""The Luna sandbox over real HTTP on loopback: wire shape, every method, rules and state."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.sandbox.state import StateFile
from pos_app.core.services.luna.sandbox import (
    DEMO,
    DEMO_EMAIL,
    DEMO_PHONE_DIGITS,
    DEMO_TEMPLATES,
    DEMO_TOKEN,
    LunaApp,
)

Call = Callable[..., dict[str, Any]]


@pytest.fixture
def client(luna_server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=luna_server.url, headers={"x-access-token": DEMO_TOKEN},
                      timeout=5) as http:
        yield http


@pytest.fixture
def call(client: httpx.Client) -> Call:
    """POST one method; check the wire shape (HTTP 200, an array of one object)."""

    def send(method: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        response = client.post(f"/{method}", json={} if body is None else body, **kwargs)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        data = response.json()
        assert isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict)
        return data[0]

    return send


def info(call: Call, key: str) -> dict[str, Any]:
    return call("getPassInfo", {"passSerialNumber": DEMO[key]})


def use(call: Call, key: str, **body: Any) -> dict[str, Any]:
    return call("usePass", {"passSerialNumber": DEMO[key], **body})


# -- wire shape and common errors ----------------------------------------------------------


def test_demo_serials_have_the_luna_shape_and_seed_is_deterministic() -> None:
    assert all(re.fullmatch(r"\d{6}-\d{3}-\d{3}", s) for s in DEMO.values())
    assert len(set(DEMO.values())) == len(DEMO)
    first, second = LunaApp(), LunaApp()
    assert first.state() == second.state()
    assert all(re.fullmatch(r"\d{6}-\d{3}-\d{3}", s) for s in first.db["passes"])


def test_a_missing_or_wrong_token_is_error_1_with_http_200(luna_server: SandboxServer) -> None:
    for headers in ({}, {"x-access-token": "wrong"}, {"x-access-token": ""}):
        response = httpx.post(luna_server.url + "/getPassInfo", headers=headers,
                              json={"passSerialNumber": DEMO["stamps"]}, timeout=5)
        assert response.status_code == 200
        assert response.json() == [{"result": 0, "error": 1}], headers


def test_unknown_methods_are_404_json_and_get_is_refused(client: httpx.Client) -> None:
    response = client.post("/noSuchMethod", json={})
    assert response.status_code == 404 and "error" in response.json()
    assert client.post("/getPassInfo/extra", json={}).status_code == 404
    assert client.get("/getPassInfo").status_code == 405


def test_a_body_that_is_not_a_json_object_is_error_4(client: httpx.Client) -> None:
    for content in (b"not json", b"[1, 2]", b"null", b"\xff\xfe"):
        response = client.post("/getPassInfo", content=content)
        assert response.status_code == 200
        assert response.json() == [{"result": 0, "error": 4}], content


def test_card_errors_2_3_4(call: Call) -> None:
    assert call("getPassInfo", {"passSerialNumber": "000000-000-000"}) == \
        {"result": 0, "error": 2}
    assert info(call, "foreign") == {"result": 0, "error": 3}
    assert use(call, "foreign_cashback", action="accruePoints", sum=5)["error"] == 3
    assert call("getPassInfo", {}) == {"result": 0, "error": 4}
    assert call("getPassInfo", {"passSerialNumber": 931520641829})["error"] == 4


# -- card information ------------------------------------------------------------------------


def test_get_pass_info_per_type_with_numbers_as_strings(call: Call) -> None:
    stamps = info(call, "stamps")
    assert stamps["result"] == 1 and stamps["type"] == "0" and stamps["template"] == "186"
    assert stamps["status"] == "installed" and stamps["serialNumber"] == DEMO["stamps"]
    assert (stamps["maxStamps"], stamps["activeStamps"], stamps["totalStamps"],
            stamps["unusedRewards"]) == ("10", "5", "25", "1")
    assert stamps["image"].endswith("/186/app/5.png")
    assert stamps["rewards"][0]["name"] and stamps["rewards"][0]["autoUse"] == "0"

    cashback = info(call, "cashback")
    assert cashback["type"] == "1"
    assert (cashback["amountMoneySpentTotal"], cashback["currentPersentBonus"],
            cashback["amountMoneyBonus"]) == ("12500", "5", "420")

    subscription = info(call, "subscription")
    assert (subscription["type"], subscription["maxStamps"], subscription["activeStamps"],
            subscription["numberScores"]) == ("2", "10", "6", "9")
    assert "image" in subscription

    discount = info(call, "discount")
    assert (discount["type"], discount["currentPersentBonus"],
            discount["amountMoneySpentTotal"]) == ("4", "5", "2500")
    assert "amountMoneyBonus" not in discount

    certificate = info(call, "certificate")
    assert certificate["type"] == "5" and certificate["amountMoneyBonus"] == "1500"
    assert certificate["expirationDate"] == "2030-12-31 23:59:59"

    for key, kind in (("coupon", "3"), ("membership", "6")):
        answer = info(call, key)
        assert answer["type"] == kind and answer["status"] == "installed"
        assert set(answer) == {"result", "type", "template", "status", "serialNumber",
                               "expirationDate"}
    assert info(call, "deleted")["status"] == "deleted"
    assert info(call, "not_installed")["status"] == "not installed"


def test_get_client_info_has_the_reference_shape(call: Call) -> None:
    answer = call("getClientInfo", {"passSerialNumber": DEMO["stamps"]})
    assert answer["sName"] == "Михаил" and answer["fName"] is None
    assert answer["phone"] == "+7 (568) 414-36-98"
    assert {f"Field{i}" for i in range(6)} <= set(answer) and "result" not in answer


# -- usePass and useReward -------------------------------------------------------------------


def test_stamps_wrap_into_rewards_and_history_rows(call: Call,
                                                   luna_server: SandboxServer) -> None:
    assert use(call, "stamps_nine", numberStumps="1") == {"result": 1}
    card = info(call, "stamps_nine")
    assert (card["activeStamps"], card["totalStamps"], card["unusedRewards"]) == ("0", "10", "1")
    assert use(call, "stamps", numberStumps=25) == {"result": 1}
    card = info(call, "stamps")
    assert (card["activeStamps"], card["totalStamps"], card["unusedRewards"]) == ("0", "50", "4")

    rows = call("getPassOperations", {"passSerialNumber": DEMO["stamps_nine"]})["rows"]
    assert [(r["operation"], r["value"]) for r in rows] == [("3", "1"), ("1", "1")]
    assert set(rows[0]) == {"date", "operation", "value"}
    assert [e["action"] for e in luna_server.app.ledger] == ["usePass", "usePass"]
    assert luna_server.app.ledger[0]["card"] == DEMO["stamps_nine"]

    assert call("useReward", {"passSerialNumber": DEMO["stamps"], "numberRewards": 3}) == \
        {"result": 1}
    assert info(call, "stamps")["unusedRewards"] == "1"


def test_cashback_actions_and_percent_levels(call: Call) -> None:
    assert use(call, "cashback", action="accruePoints", sum=80)["result"] == 1
    assert use(call, "cashback", action="spendPoints", sum="100")["result"] == 1
    assert info(call, "cashback")["amountMoneyBonus"] == "400"
    use(call, "cashback", action="reduceTotalSpentSum", sum=3000)
    assert info(call, "cashback")["currentPersentBonus"] == "3"       # 9 500
    use(call, "cashback", action="increaseTotalSpentSum", sum=500)
    assert info(call, "cashback")["currentPersentBonus"] == "5"       # 10 000
    use(call, "cashback", action="increaseTotalSpentSum", sum=40000)
    card = info(call, "cashback")
    assert (card["amountMoneySpentTotal"], card["currentPersentBonus"]) == ("50000", "7")


def test_subscription_certificate_and_discount_actions(call: Call) -> None:
    use(call, "subscription", action="takeStamps", numberStumps=2)
    use(call, "subscription", action="addStamps", numberStumps=6)
    use(call, "subscription", action="spendPoints", sum=4)
    card = info(call, "subscription")
    assert (card["activeStamps"], card["numberScores"]) == ("10", "5")

    use(call, "certificate", action="spendPoints", sum=400)
    use(call, "certificate", action="accruePoints", sum=100)
    assert info(call, "certificate")["amountMoneyBonus"] == "1200"

    use(call, "discount", action="increaseTotalSpentSum", sum=17500)
    assert info(call, "discount")["currentPersentBonus"] == "7"


def test_set_expiration_date_on_every_type(call: Call) -> None:
    stamp = int(dt.datetime(2031, 3, 15, 23, 59, 59).timestamp())
    for key in ("stamps", "cashback", "subscription", "coupon", "discount", "certificate",
                "membership"):
        assert use(call, key, action="setExpirationDate", expiryDate=str(stamp)) == \
            {"result": 1}, key
        assert info(call, key)["expirationDate"] == "2031-03-15 23:59:59", key


def test_bad_numbers_are_error_4(call: Call, luna_server: SandboxServer) -> None:
    for value in (0, -3, 1.5, "1.5", "-2", "", None, True, "two", [1]):
        body = {} if value is None else {"numberStumps": value}
        assert use(call, "stamps", **body) == {"result": 0, "error": 4}, value
        body = {} if value is None else {"sum": value}
        assert use(call, "cashback", action="spendPoints", **body)["error"] == 4, value
        body = {} if value is None else {"numberRewards": value}
        assert call("useReward", {"passSerialNumber": DEMO["stamps"], **body})["error"] == 4
    assert luna_server.app.ledger == []


def test_actions_a_card_type_does_not_have_are_error_4(call: Call) -> None:
    for key, body in (
        ("coupon", {"action": "spendPoints", "sum": 1}),
        ("membership", {"action": "accruePoints", "sum": 1}),
        ("discount", {"action": "accruePoints", "sum": 1}),
        ("stamps", {"action": "spendPoints", "sum": 1}),
        ("certificate", {"action": "increaseTotalSpentSum", "sum": 1}),
        ("cashback", {"action": "takeStamps", "numberStumps": 1}),
        ("cashback", {"sum": 1}),
        ("coupon", {"action": "setExpirationDate", "expiryDate": 10**12}),
    ):
        assert use(call, key, **body) == {"result": 0, "error": 4}, (key, body)


def test_rule_violations_are_error_6_with_a_plain_message(call: Call,
                                                          luna_server: SandboxServer) -> None:
    for method, key, body, message in (
        ("usePass", "cashback", {"action": "spendPoints", "sum": 421},
         "Cannot spend 421: the card has 420 points."),
        ("usePass", "certificate", {"action": "spendPoints", "sum": 1501},
         "Cannot spend 1501: the certificate's balance is 1500."),
        ("usePass", "subscription", {"action": "spendPoints", "sum": 10},
         "Cannot spend 10: the card has 9 points."),
        ("usePass", "subscription", {"action": "takeStamps", "numberStumps": 7},
         "Cannot write off 7 visits: the subscription has 6 visits left."),
        ("usePass", "subscription", {"action": "addStamps", "numberStumps": 5},
         "Cannot add 5 visits: the subscription holds at most 10 and has 6."),
        ("usePass", "discount", {"action": "reduceTotalSpentSum", "sum": 2501},
         "Cannot reduce the total spent by 2501: it is 2500."),
        ("useReward", "stamps", {"numberRewards": 2},
         "Cannot write off 2 rewards: the card has 1 unused."),
        ("useReward", "cashback", {"numberRewards": 1},
         "Only stamp cards have rewards to write off."),
    ):
        answer = call(method, {"passSerialNumber": DEMO[key], **body})
        assert answer == {"result": 0, "error": 6, "message": message}
    assert luna_server.app.ledger == []


# -- clients, cards by phone, lists ----------------------------------------------------------


def test_create_search_update_client_and_create_pass(call: Call,
                                                     luna_server: SandboxServer) -> None:
    tpl = DEMO_TEMPLATES["stamps"]
    created = call("createClient", {"sName": "Ivanova", "fName": "Olga", "phone": 79001234567,
                                    "idTemplate": tpl})
    assert created["result"] == 1
    uid = created["userID"]
    assert call("searchClient", {"phone": "7 900 123-45-67", "idTemplate": tpl}) == \
        {"result": 1, "userID": uid}
    assert call("searchClient", {"E-mail": "nobody@example.com", "idTemplate": tpl}) == \
        {"result": 0}
    again = call("createClient", {"sName": "X", "fName": "Y", "phone": 79001234567,
                                  "idTemplate": str(tpl)})
    assert again == {"result": 0, "error": 5, "userID": uid}
    by_email = call("createClient", {"sName": "X", "fName": "Y", "email": "P.IVANOV@example.com",
                                     "idTemplate": tpl})
    assert by_email["error"] == 5 and by_email["userID"] == 30363
    assert call("createClient", {"sName": "X", "fName": "Y", "idTemplate": tpl})["error"] == 4

    assert call("updateClient", {"userID": uid, "sName": "Ivanova", "fName": "Olga",
                                 "email": "olga@example.com", "idTemplate": tpl}) == {"result": 1}
    clash = call("updateClient", {"userID": uid, "sName": "Ivanova", "fName": "Olga",
                                  "phone": 74443334423, "idTemplate": tpl})
    assert clash == {"result": 0, "error": 5, "userID": 30363}
    assert call("updateClient", {"userID": 1, "sName": "A", "fName": "B", "phone": 7900,
                                 "idTemplate": tpl})["error"] == 4

    issued = call("createPass", {"idTemplate": tpl, "userID": uid})
    assert re.fullmatch(r"\d{6}-\d{3}-\d{3}", issued["serialNumber"])
    assert issued["installURL"].endswith(f"/getpassform/{tpl}/{uid}/")
    assert issued["installQR"].endswith(f"/installQR/{tpl}/{uid}/")
    card = call("getPassInfo", {"passSerialNumber": issued["serialNumber"]})
    assert (card["status"], card["activeStamps"]) == ("not installed", "0")
    assert call("createPass", {"idTemplate": tpl, "userID": uid})["serialNumber"] == \
        issued["serialNumber"]
    assert call("createPass", {"idTemplate": DEMO_TEMPLATES["foreign"], "userID": 40001})[
        "error"] == 4
    assert [e["action"] for e in luna_server.app.ledger] == [
        "createClient", "updateClient", "createPass", "createPass"]


def test_cards_by_phone_and_email(call: Call) -> None:
    tpl = DEMO_TEMPLATES["cashback"]
    assert call("checkPassExistsByPhone", {"idTemplate": tpl, "phone": DEMO_PHONE_DIGITS}) == \
        {"result": 1}
    assert call("checkPassExistsByPhone", {"idTemplate": tpl, "phone": 10000000}) == \
        {"result": 0}
    card = call("getPassInfoByPhone", {"idTemplate": tpl, "phone": DEMO_PHONE_DIGITS})
    assert card["serialNumber"] == DEMO["cashback"] and card["amountMoneyBonus"] == "420"
    assert call("getPassInfoByPhone", {"idTemplate": tpl, "phone": 10000000})["error"] == 2

    by_phone = call("getClientPassesByPhone", {"phone": DEMO_PHONE_DIGITS})
    assert by_phone["result"] == 1 and by_phone["phone"] == "+1 (555) 432-50-11"
    assert by_phone["sName"] == "Жуков" and len(by_phone["passes"]) == 13
    assert {"serialNumber": DEMO["deleted"], "type": "0", "template": "186",
            "status": "deleted"} in by_phone["passes"]
    by_email = call("getClientPassesByEmail", {"email": DEMO_EMAIL.upper()})
    assert by_email["passes"] == by_phone["passes"]
    assert call("getClientPassesByPhone", {"phone": 10000000})["error"] == 2
    assert call("getClientPassesByPhone", {"phone": 15559990000})["error"] == 2   # foreign
    assert call("getClientPassesByPhone", {})["error"] == 4


def test_template_client_passes_modes_and_clients_list_paging(call: Call) -> None:
    tpl = DEMO_TEMPLATES["stamps"]

    def rows(mode: str, page: int = 1) -> list[dict[str, Any]]:
        answer = call("getTemplateClientPasses", {"idTemplate": tpl, "selectionMode": mode,
                                                  "page": page})
        assert answer["result"] == 1
        return answer["rows"]

    installed = rows("passInstalled")
    assert len(installed) == 14 and rows("PASSINSTALLED") == installed
    assert set(installed[0]) == {"userID", "SName", "Fname", "Email", "Phone", "serialNumber"}
    assert [r["serialNumber"] for r in rows("passDeleted")] == [DEMO["deleted"]]
    assert rows("passNotInstalled") == []
    not_created = rows("PassNotCreated")
    assert [(r["SName"], r["serialNumber"]) for r in not_created] == [("Sidorov", None)]
    assert rows("passInstalled", page=2) == []
    assert call("getTemplateClientPasses", {"idTemplate": tpl,
                                            "selectionMode": "everyone"})["error"] == 4

    first = call("getClientsList", {"idTemplate": tpl})["rows"]
    second = call("getClientsList", {"idTemplate": tpl, "page": 2})["rows"]
    assert len(first) == 10 and len(second) == 6
    assert {"id", "fName", "sName", "phone", "email", "dateOfBirth", "Field0"} <= set(first[0])
    assert call("getClientsList", {"idTemplate": tpl, "page": 3})["rows"] == []
    assert call("getClientsList", {"idTemplate": 999})["error"] == 4


def test_templates_list_only_the_companys_own(call: Call) -> None:
    rows = call("getTemplates")["rows"]
    ids = {r["id"] for r in rows}
    assert set(DEMO_TEMPLATES.values()) - {DEMO_TEMPLATES["foreign"]} <= ids
    assert DEMO_TEMPLATES["foreign"] not in ids
    assert {r["type"] for r in rows} == {str(t) for t in range(7)}


# -- push messages and history paging --------------------------------------------------------


def test_push_messages_one_client_all_clients_paging_and_list(
        call: Call, luna_server: SandboxServer) -> None:
    assert call("sendInfoPush", {"pushSegment": "oneClient", "passSerialNumber": DEMO["stamps"],
                                 "messageText": "Hi {{clientSName}}: {{passCurrentStamps}} "
                                                "stamps, {{passUnusedRewards}} reward, "
                                                "{{unknown}}"}) == {"result": 1}
    rows = call("getInfoPushList", {"passSerialNumber": DEMO["stamps"]})["rows"]
    assert rows[0]["message"] == "Hi Михаил: 5 stamps, 1 reward, {{unknown}}"
    assert [r["message"] for r in rows[1:]] == ["Test3!", "Test2!", "Test1!"]
    not_installed = call("sendInfoPush", {"pushSegment": "oneClient", "messageText": "Hi",
                                          "passSerialNumber": DEMO["not_installed"]})
    assert not_installed["error"] == 6 and "not installed" in not_installed["message"]

    body = {"pushSegment": "allClients", "idTemplate": str(DEMO_TEMPLATES["stamps"]),
            "messageText": "Double stamps today!"}
    counts = [call("sendInfoPush", {**body, "page": page})["numberOfRowsSelected"]
              for page in (1, 2, 3)]
    assert counts == [10, 4, 0]
    assert call("sendInfoPush", body)["error"] == 4          # page is required
    assert call("sendInfoPush", {**body, "pushSegment": "some"})["error"] == 4
    assert [e["action"] for e in luna_server.app.ledger] == ["sendInfoPush"] * 3

    for n in range(8):
        call("sendInfoPush", {"pushSegment": "oneClient", "passSerialNumber": DEMO["stamps"],
                              "messageText": f"Message {n}"})
    pages = [call("getInfoPushList", {"passSerialNumber": DEMO["stamps"], "page": p})["rows"]
             for p in (1, 2)]
    assert [len(p) for p in pages] == [10, 3]   # 3 seeded, 1 + 1 (to all) + 8 sent here
    assert pages[0][0]["message"] == "Message 7"


def test_pass_operations_are_newest_first_fifty_a_page(call: Call,
                                                       luna_server: SandboxServer) -> None:
    rows = luna_server.app.db["operations"][DEMO["cashback"]]
    rows += [{"date": f"2026-01-01 00:{n // 60:02d}:{n % 60:02d}", "operation": "1",
              "value": str(n)} for n in range(60)]
    first = call("getPassOperations", {"passSerialNumber": DEMO["cashback"]})
    assert "result" not in first and len(first["rows"]) == 50
    assert first["rows"][0]["value"] == "59"
    second = call("getPassOperations", {"passSerialNumber": DEMO["cashback"], "page": "2"})
    assert len(second["rows"]) == 15
    assert second["rows"][-1] == {"date": "2025-03-02 12:10:00", "operation": "4",
                                  "value": "10000"}


# -- persistence and demo info ---------------------------------------------------------------


def test_state_round_trips_through_json_and_a_state_file(tmp_path: Path) -> None:
    app = LunaApp()
    server = SandboxServer(app, state=StateFile(tmp_path / "luna.json")).start()
    try:
        httpx.post(server.url + "/usePass", headers={"x-access-token": DEMO_TOKEN}, timeout=5,
                   json={"passSerialNumber": DEMO["cashback"], "action": "accruePoints",
                         "sum": 5})
    finally:
        server.stop()
    state = json.loads((tmp_path / "luna.json").read_text("utf-8"))["luna"]
    assert state == json.loads(json.dumps(app.state()))
    assert state["passes"][DEMO["cashback"]]["amountMoneyBonus"] == 425

    again = SandboxServer(LunaApp(), state=StateFile(tmp_path / "luna.json"))
    try:
        assert again.app.state() == app.state()
    finally:
        again.server_close()

    fresh = LunaApp()
    with pytest.raises((KeyError, TypeError)):
        fresh.load_state({"passes": {}})
    with pytest.raises((KeyError, TypeError)):
        fresh.load_state({**app.state(), "passes": []})
    assert fresh.state() == LunaApp().state()


def test_info_lists_the_demo_cards_with_labels() -> None:
    data = LunaApp(token="t-1").info()
    assert data["token"] == "t-1"
    cards = {c["code"]: c for c in data["cards"]}
    assert set(cards) == set(DEMO.values())
    assert cards[DEMO["stamps"]]["label"] == "Stamps card, 5 of 10 stamps, 1 reward ready"
    assert cards[DEMO["stamps"]]["kind"] == "stamps"
    assert cards[DEMO["certificate"]]["label"] == "Certificate, balance 1,500"
    assert cards[DEMO["discount"]]["label"] == "Discount card, 5% discount"
    assert cards[DEMO["cashback"]]["holder"] == "Михаил Жуков"
    assert "another company" in cards[DEMO["foreign"]]["label"]
    assert {c["kind"] for c in cards.values()} == {
        "stamps", "cashback", "subscription", "coupon", "discount", "certificate",
        "membership"}
