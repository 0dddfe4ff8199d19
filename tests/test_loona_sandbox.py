"""The Loona sandbox over real HTTP: token, passes, transactions, idempotency, state."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.sandbox.state import StateFile
from pos_app.core.services.loona.sandbox import DEMO, DEMO_IDS, LoonaApp
from pos_app.core.services.loona.seed import CLIENT_ID, CLIENT_SECRET

PASS_KEYS = {"id", "templateId", "encryptedId", "type", "status", "balance", "discount",
             "maxSpendPercent", "level", "purchasesTotal", "chops", "chopsRequired",
             "rewardsAvailable", "expirationDate", "holder", "downloadUrl"}


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


class Api:
    """A thin raw-HTTP client for the sandbox (no adapter involved)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.http = httpx.Client(timeout=5.0)
        self.token = self.get_token().json()["access_token"]

    def get_token(self, auth: str | None = None, grant: str = "client_credentials",
                  ) -> httpx.Response:
        return self.http.post(self.server.base_url + "/oauth/token",
                              headers={"Authorization": auth or basic()},
                              data={"grant_type": grant})

    def get(self, path: str, token: str | None = None) -> httpx.Response:
        return self.http.get(self.server.url + path,
                             headers={"Authorization": f"Bearer {token or self.token}"})

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None,
             ) -> httpx.Response:
        return self.http.post(self.server.url + path, json=body,
                              headers={"Authorization": f"Bearer {self.token}",
                                       **(headers or {})})

    def tx(self, kind: str, name: str, key: str = "k1", code: str | None = None,
           **fields: Any) -> httpx.Response:
        body = {"passId": DEMO_IDS[name], "purchaseId": key, **fields}
        return self.post(f"/transactions/{kind}", body,
                         {"Idempotence-Key": key,
                          "X-Loona-Encrypted-Key": DEMO[name] if code is None else code})

    def card(self, name: str) -> dict[str, Any]:
        response = self.get(f"/passes/{DEMO_IDS[name]}")
        assert response.status_code == 200
        return response.json()


@pytest.fixture
def api(loona_server: SandboxServer) -> Iterator[Api]:
    client = Api(loona_server)
    yield client
    client.http.close()


@pytest.fixture(scope="module")
def reader() -> Iterator[Api]:
    """A client of one server per module, for tests that change nothing (keeps them fast)."""
    server = SandboxServer(LoonaApp(), seed=2).start()
    client = Api(server)
    yield client
    client.http.close()
    server.stop()


def error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


# -- token and authorisation --------------------------------------------------------------------


def test_token_answer_follows_the_published_shape(api: Api) -> None:
    data = api.get_token().json()
    assert data["token_type"] == "bearer"
    assert data["expires_in"] == 299
    assert data["scope"] == "any"
    assert data["access_token"] and data["jti"]
    assert api.server.app.tokens_issued == 2


@pytest.mark.parametrize("auth", [basic(secret="wrong"), basic(client_id="other"),
                                  "Basic !!!notbase64", "Bearer x", ""])
def test_token_refuses_bad_client_credentials(reader: Api, auth: str) -> None:
    response = reader.http.post(reader.server.base_url + "/oauth/token",
                             headers={"Authorization": auth} if auth else {},
                             data={"grant_type": "client_credentials"})
    error(response, 401, "UNAUTHORIZED")


def test_token_needs_client_credentials_grant(reader: Api) -> None:
    error(reader.get_token(grant="password"), 400, "VALIDATION_ERROR")


def test_routes_need_a_valid_bearer_token(api: Api) -> None:
    url = api.server.url + "/passes"
    error(api.http.get(url), 401, "UNAUTHORIZED")
    error(api.http.get(url, headers={"Authorization": "Bearer nope"}), 401, "UNAUTHORIZED")
    error(api.http.get(url, headers={"Authorization": basic()}), 401, "UNAUTHORIZED")
    assert api.get("/passes").status_code == 200
    assert api.server.app.unauthorized == 3


def test_tokens_expire_after_ttl_and_can_be_revoked(api: Api) -> None:
    app: LoonaApp = api.server.app
    app.token_ttl = 0.2
    short = api.get_token().json()
    assert short["expires_in"] == 0.2
    assert api.get("/passes", short["access_token"]).status_code == 200
    time.sleep(0.25)
    error(api.get("/passes", short["access_token"]), 401, "UNAUTHORIZED")
    assert api.get("/passes").status_code == 200      # the long-lived token still works
    app.revoke_tokens()
    error(api.get("/passes"), 401, "UNAUTHORIZED")


def test_routes_outside_the_base_and_unknown_methods(reader: Api) -> None:
    headers = {"Authorization": f"Bearer {reader.token}"}
    error(reader.http.get(reader.server.base_url + "/passes", headers=headers), 404, "NOT_FOUND")
    error(reader.get("/nothing"), 404, "NOT_FOUND")
    error(reader.http.delete(reader.server.url + "/passes", headers=headers), 405,
          "METHOD_NOT_ALLOWED")
    error(reader.http.get(reader.server.base_url + "/oauth/token"), 405, "METHOD_NOT_ALLOWED")
    error(reader.get("/transactions/refund"), 404, "NOT_FOUND")


# -- passes -------------------------------------------------------------------------------------


def test_pass_object_has_the_contract_shape(reader: Api) -> None:
    bonus = reader.card("bonus")
    assert set(bonus) == PASS_KEYS
    assert bonus["type"] == "BONUS" and bonus["status"] == "ACTIVE"
    assert bonus["balance"] == "350.00" and bonus["maxSpendPercent"] == 30
    assert bonus["level"] == {"number": 2, "name": "Silver"}
    assert bonus["purchasesTotal"] == "15300.00"
    assert bonus["encryptedId"] == DEMO["bonus"]
    assert bonus["holder"]["firstName"] == "Anna" and bonus["holder"]["phone"]
    assert bonus["expirationDate"].endswith("Z")
    discount = reader.card("discount")
    assert discount["discount"] == 5 and discount["balance"] is None
    chop = reader.card("chop")
    assert (chop["chops"], chop["chopsRequired"], chop["rewardsAvailable"]) == (3, 10, 0)
    assert reader.card("gift")["balance"] == "1000.00"
    assert reader.card("coupon_new")["status"] == "INCOMPLETE"
    assert reader.card("coupon_used")["status"] == "USED"
    assert reader.card("expired")["status"] == "EXPIRED"
    assert reader.card("blocked")["status"] == "BLOCKED"
    assert reader.card("bonus_id")["encryptedId"] == str(DEMO_IDS["bonus_id"])


def test_pass_lookup_by_encrypted_id(reader: Api) -> None:
    response = reader.get(f"/passes/encrypted/{DEMO['gift']}")
    assert response.status_code == 200 and response.json()["id"] == DEMO_IDS["gift"]
    error(reader.get("/passes/encrypted/0000000000"), 404, "NOT_FOUND")
    # A QR that holds the plain pass id is not an encrypted id.
    error(reader.get(f"/passes/encrypted/{DEMO['bonus_id']}"), 404, "NOT_FOUND")
    error(reader.get("/passes/999999"), 404, "NOT_FOUND")
    error(reader.get("/passes/abc"), 404, "NOT_FOUND")


def test_pass_list_pages(reader: Api) -> None:
    first = reader.get("/passes").json()
    assert first["page"] == 0 and first["totalElements"] == len(DEMO)
    assert len(first["content"]) == len(DEMO)
    pages = [reader.get(f"/passes?page={n}&size=5").json()["content"] for n in range(4)]
    assert [len(p) for p in pages] == [5, 5, 2, 0]
    assert [p["id"] for page in pages for p in page] == sorted(DEMO_IDS.values())
    error(reader.get("/passes?size=0"), 400, "VALIDATION_ERROR")
    error(reader.get("/passes?page=-1"), 400, "VALIDATION_ERROR")


def test_create_pass_fills_the_holder_from_placeholders(api: Api) -> None:
    response = api.post("/passes", {"templateId": 14, "placeholderValues": [
        {"name": "firstName", "value": "Ivan"}, {"name": "lastName", "value": "Orlov"},
        {"name": "phone", "value": "+79990001122"}, {"name": "unknown", "value": "x"}]})
    assert response.status_code == 200, response.text
    new = response.json()
    assert set(new) == PASS_KEYS
    assert new["holder"] == {"firstName": "Ivan", "lastName": "Orlov", "phone": "+79990001122"}
    assert new["type"] == "BONUS" and new["balance"] == "0.00" and new["level"]["number"] == 1
    assert api.get(f"/passes/{new['id']}").json() == new
    assert api.get(f"/passes/encrypted/{new['encryptedId']}").json()["id"] == new["id"]
    assert api.server.app.ledger[-1]["action"] == "create"
    coupon = api.post("/passes", {"templateId": 20, "placeholderValues": []}).json()
    assert coupon["status"] == "INCOMPLETE"
    error(api.post("/passes", {"templateId": 999}), 404, "NOT_FOUND")
    error(api.post("/passes", {"templateId": "x"}), 400, "VALIDATION_ERROR")
    error(api.post("/passes", {"templateId": 14, "placeholderValues": [{"name": 1}]}), 400,
          "VALIDATION_ERROR")


# -- transactions -------------------------------------------------------------------------------


def test_discount_purchase(api: Api) -> None:
    response = api.tx("purchase", "discount", amount="33.33")
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["discountAmount"] == "1.67" and data["amountToPay"] == "31.66"
    assert data["bonusAccrued"] == "0.00"
    assert data["passId"] == DEMO_IDS["discount"] and data["type"] == "purchase"
    assert "transactionId" in data and "encryptedId" not in data
    assert api.card("discount")["purchasesTotal"] == "2533.33"
    entry = api.server.app.ledger[-1]
    assert (entry["action"], entry["card"], entry["key"]) == (
        "purchase", str(DEMO_IDS["discount"]), "k1")


def test_bonus_purchase_accrues_by_level_and_lifts_the_level(api: Api) -> None:
    data = api.tx("purchase", "bonus", amount=100).json()
    assert (data["bonusAccrued"], data["balance"]) == ("5.00", "355.00")
    data = api.tx("purchase", "bonus", key="k2", amount="14600.00").json()
    assert data["bonusAccrued"] == "730.00"             # still Silver for this purchase
    assert data["level"] == {"number": 3, "name": "Gold"}
    assert api.card("bonus")["purchasesTotal"] == "30000.00"
    data = api.tx("purchase", "bonus", key="k3", amount="100").json()
    assert data["bonusAccrued"] == "7.00"                # Gold from now on


def test_spending_and_purchase_spending(api: Api) -> None:
    data = api.tx("spending", "gift", amount="250.00").json()
    assert (data["amountSpent"], data["balance"]) == ("250.00", "750.00")
    error(api.tx("spending", "gift", key="k2", amount="750.01"), 400, "INSUFFICIENT_BALANCE")
    data = api.tx("purchase-spending", "bonus", key="k3", amount="200.00",
                  spendAmount="60.00").json()
    assert data["amountToPay"] == "140.00" and data["bonusSpent"] == "60.00"
    assert data["bonusAccrued"] == "7.00" and data["balance"] == "297.00"
    error(api.tx("purchase-spending", "bonus", key="k4", amount="100.00",
                 spendAmount="30.01"), 400, "SPEND_LIMIT_EXCEEDED")
    # The card balance limits as well: 80.00 on the card, 20 % of 1000 would be 200.
    error(api.tx("purchase-spending", "bonus_id", key="k5", amount="1000.00",
                 spendAmount="80.01"), 400, "SPEND_LIMIT_EXCEEDED")


def test_coupon_goes_incomplete_active_used_only(api: Api) -> None:
    error(api.tx("status", "coupon_new", status="USED"), 400, "COUPON_NOT_ACTIVE")
    assert api.tx("status", "coupon_new", key="k2", status="ACTIVE").json()["status"] == "ACTIVE"
    error(api.tx("status", "coupon_new", key="k3", status="ACTIVE"), 400,
          "COUPON_ALREADY_ACTIVE")
    assert api.tx("status", "coupon_new", key="k4", status="USED").json()["status"] == "USED"
    error(api.tx("status", "coupon_new", key="k5", status="ACTIVE"), 400, "COUPON_ALREADY_USED")
    error(api.tx("status", "coupon_used", key="k6", status="USED"), 400, "COUPON_ALREADY_USED")
    error(api.tx("status", "coupon_active", key="k7", status="NEW"), 400, "VALIDATION_ERROR")


def test_chops_wrap_into_rewards_and_rewards_redeem(api: Api) -> None:
    data = api.tx("chop", "chop", chops=9, rewardsUsed=0).json()
    assert (data["chops"], data["chopsRequired"], data["rewardsAvailable"]) == (2, 10, 1)
    data = api.tx("chop", "chop", key="k2", chops=18).json()
    assert (data["chops"], data["rewardsAvailable"]) == (0, 3)
    data = api.tx("chop", "chop", key="k3", rewardsUsed=2).json()
    assert (data["chops"], data["rewardsAvailable"]) == (0, 1)
    error(api.tx("chop", "chop", key="k4", rewardsUsed=2), 400, "INSUFFICIENT_BALANCE")
    error(api.tx("chop", "chop", key="k5", chops=0, rewardsUsed=0), 400, "VALIDATION_ERROR")
    error(api.tx("chop", "chop", key="k6", chops=-1), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(("kind", "name", "fields", "status", "code"), [
    ("spending", "discount", {"amount": "1.00"}, 400, "TRANSACTION_NOT_SUPPORTED"),
    ("purchase", "gift", {"amount": "1.00"}, 400, "TRANSACTION_NOT_SUPPORTED"),
    ("purchase-spending", "gift", {"amount": "2", "spendAmount": "1"}, 400,
     "TRANSACTION_NOT_SUPPORTED"),
    ("chop", "coupon_active", {"chops": 1}, 400, "TRANSACTION_NOT_SUPPORTED"),
    ("status", "chop", {"status": "USED"}, 400, "TRANSACTION_NOT_SUPPORTED"),
    ("spending", "expired", {"amount": "1.00"}, 400, "PASS_EXPIRED"),
    ("purchase", "blocked", {"amount": "1.00"}, 400, "PASS_BLOCKED"),
    ("purchase", "bonus", {"amount": "0"}, 400, "VALIDATION_ERROR"),
    ("purchase", "bonus", {"amount": -5}, 400, "VALIDATION_ERROR"),
    ("purchase", "bonus", {"amount": "ten"}, 400, "VALIDATION_ERROR"),
    ("purchase", "bonus", {"amount": "1.005"}, 400, "VALIDATION_ERROR"),
    ("purchase", "bonus", {"amount": True}, 400, "VALIDATION_ERROR"),
    ("purchase", "bonus", {}, 400, "VALIDATION_ERROR"),
    ("purchase-spending", "bonus", {"amount": "10", "spendAmount": "11"}, 400,
     "VALIDATION_ERROR"),
])
def test_transaction_refusals(reader: Api, kind: str, name: str, fields: dict[str, Any],
                              status: int, code: str) -> None:
    error(reader.tx(kind, name, **fields), status, code)
    assert reader.server.app.ledger == []


def test_transaction_request_checks(api: Api) -> None:
    good = {"passId": DEMO_IDS["gift"], "purchaseId": "p", "amount": "1.00"}
    qr = {"X-Loona-Encrypted-Key": DEMO["gift"]}
    error(api.post("/transactions/spending", good, qr), 400, "VALIDATION_ERROR")  # no key
    headers = {"Idempotence-Key": "k", **qr}
    error(api.post("/transactions/spending", [good], headers), 400, "VALIDATION_ERROR")
    error(api.post("/transactions/spending", {**good, "passId": None}, headers), 400,
          "VALIDATION_ERROR")
    error(api.post("/transactions/spending", {**good, "purchaseId": ""}, headers), 400,
          "VALIDATION_ERROR")
    error(api.post("/transactions/spending", {**good, "passId": 999}, headers), 404,
          "NOT_FOUND")
    error(api.post("/transactions/spending", good, {"Idempotence-Key": "k"}), 400,
          "INVALID_ENCRYPTED_KEY")
    error(api.post("/transactions/spending", good,
                   {"Idempotence-Key": "k", "X-Loona-Encrypted-Key": DEMO["bonus"]}),
          400, "INVALID_ENCRYPTED_KEY")
    # The pass id of a card whose QR holds an encrypted id is not its encrypted key.
    error(api.post("/transactions/spending", good,
                   {"Idempotence-Key": "k", "X-Loona-Encrypted-Key": str(DEMO_IDS["gift"])}),
          400, "INVALID_ENCRYPTED_KEY")
    assert api.post("/transactions/spending", good, headers).status_code == 200


def test_id_mode_card_takes_its_pass_id_as_the_key(api: Api) -> None:
    assert DEMO["bonus_id"] == str(DEMO_IDS["bonus_id"])
    assert api.tx("spending", "bonus_id", amount="10.00").json()["balance"] == "70.00"


def test_same_key_same_body_replays_and_changes_nothing(api: Api) -> None:
    first = api.tx("spending", "gift", key="same", amount="100.00")
    again = api.tx("spending", "gift", key="same", amount="100.00")
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert api.card("gift")["balance"] == "900.00"
    assert len(api.server.app.ledger) == 1
    error(api.tx("spending", "gift", key="same", amount="100.01"), 409, "IDEMPOTENCY_CONFLICT")
    error(api.tx("purchase", "bonus", key="same", amount="100.00"), 409, "IDEMPOTENCY_CONFLICT")
    assert len(api.server.app.ledger) == 1


def test_a_refused_transaction_does_not_hold_its_key(api: Api) -> None:
    error(api.tx("spending", "gift", key="k", code="stale", amount="1.00"), 400,
          "INVALID_ENCRYPTED_KEY")
    assert api.tx("spending", "gift", key="k", amount="1.00").status_code == 200


def test_dynamic_qr_rotates_after_every_transaction(api: Api) -> None:
    old = DEMO["bonus_dynamic"]
    data = api.tx("purchase", "bonus_dynamic", amount="100.00").json()
    new = data["encryptedId"]
    assert new != old and new.isdigit() and len(new) == 10
    assert data["level"]["name"] == "Silver"           # 9950 + 100 crosses 10000
    assert api.card("bonus_dynamic")["encryptedId"] == new
    # The old value is known but no longer valid: 400 on both lookup and transaction.
    error(api.get(f"/passes/encrypted/{old}"), 400, "INVALID_ENCRYPTED_KEY")
    error(api.tx("spending", "bonus_dynamic", key="k2", amount="1.00"), 400,
          "INVALID_ENCRYPTED_KEY")
    # A value never seen: 404 on lookup, 400 on transactions.
    error(api.get("/passes/encrypted/1234567890"), 404, "NOT_FOUND")
    error(api.tx("spending", "bonus_dynamic", key="k2", code="1234567890", amount="1.00"),
          400, "INVALID_ENCRYPTED_KEY")
    assert api.get(f"/passes/encrypted/{new}").json()["id"] == DEMO_IDS["bonus_dynamic"]
    second = api.tx("spending", "bonus_dynamic", key="k2", code=new, amount="1.00").json()
    assert second["encryptedId"] not in (old, new)
    # A replay answers the original body, whatever QR value comes with it.
    assert api.tx("purchase", "bonus_dynamic", amount="100.00").json() == data


# -- state, info, seed --------------------------------------------------------------------------


def test_state_round_trips_through_a_new_app(api: Api) -> None:
    api.tx("purchase", "bonus_dynamic", key="a", amount="100.00")
    api.tx("status", "coupon_new", key="b", status="ACTIVE")
    api.tx("chop", "chop", key="c", chops=8)
    state = api.server.app.state()
    copy = LoonaApp()
    copy.load_state(state)
    assert copy.state() == state
    other = SandboxServer(copy).start()
    try:
        client = Api(other)
        stale = client.get(f"/passes/encrypted/{DEMO['bonus_dynamic']}")
        error(stale, 400, "INVALID_ENCRYPTED_KEY")
        replay = client.tx("chop", "chop", key="c", chops=8)
        assert replay.json() == api.tx("chop", "chop", key="c", chops=8).json()
        assert client.card("coupon_new")["status"] == "ACTIVE"
        assert len(copy.ledger) == 3
        client.http.close()
    finally:
        other.stop()


def test_load_state_rejects_broken_data() -> None:
    app = LoonaApp()
    state = app.state()
    state["passes"][0]["balance"] = "lots"
    with pytest.raises(ValueError):
        app.load_state(state)
    with pytest.raises(KeyError):
        app.load_state({})
    assert app.state() == LoonaApp().state()


def test_state_file_keeps_changes_across_restarts(tmp_path: Path) -> None:
    state_file = tmp_path / "loona.json"
    server = SandboxServer(LoonaApp(), state=StateFile(state_file)).start()
    try:
        client = Api(server)
        assert client.tx("spending", "gift", amount="1.50").status_code == 200
        client.http.close()
    finally:
        server.stop()
    server = SandboxServer(LoonaApp(), state=StateFile(state_file)).start()
    try:
        client = Api(server)
        assert client.card("gift")["balance"] == "998.50"
        client.http.close()
    finally:
        server.stop()


def test_info_lists_credentials_and_every_demo_card() -> None:
    info = LoonaApp().info()
    assert (info["client_id"], info["client_secret"]) == (CLIENT_ID, CLIENT_SECRET)
    assert [c["code"] for c in info["cards"]] == list(DEMO.values())
    kinds = {c["kind"] for c in info["cards"]}
    assert kinds == {"discount", "points", "gift", "coupon", "chop"}
    assert all(c["label"] and c["holder"] for c in info["cards"])


def test_seed_is_deterministic_and_covers_every_kind() -> None:
    assert LoonaApp().state() == LoonaApp().state()
    passes = LoonaApp().state()["passes"]
    assert {p["type"] for p in passes} == {"DISCOUNT", "BONUS", "GIFT", "COUPON", "CHOP"}
    assert {p["qrMode"] for p in passes} == {"id", "static", "dynamic"}
    assert {p["status"] for p in passes} == {"ACTIVE", "INCOMPLETE", "USED", "EXPIRED",
                                             "BLOCKED"}
    assert len(set(DEMO.values())) == len(DEMO)
    bonus = next(p for p in passes if p["id"] == DEMO_IDS["bonus"])
    assert Decimal(bonus["balance"]) == Decimal("350.00")


def test_custom_credentials() -> None:
    app = LoonaApp(client_id="shop", client_secret="pw", token_ttl=10)
    server = SandboxServer(app).start()
    try:
        with httpx.Client() as http:
            ok = http.post(server.base_url + "/oauth/token", headers={"Authorization":
                           basic("shop", "pw")}, data={"grant_type": "client_credentials"})
            assert ok.json()["expires_in"] == 10
            bad = http.post(server.base_url + "/oauth/token", headers={"Authorization":
                            basic()}, data={"grant_type": "client_credentials"})
            assert bad.status_code == 401
    finally:
        server.stop()
