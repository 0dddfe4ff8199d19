"""The CP Extender sandbox over real HTTP, as the references describe it: JSON content type on
every request, the APItoken login and 401 on a stale token, BalanceCheck with its optional
body on a GET, holds counted in OpenAuthorizations and shown as Pending Charge rows, Confirm and
Cancel by AuthCode, the switch that answers Authorize without an AuthCode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.cpextender.sandbox import CpExtenderApp
from pos_app.core.services.cpextender.seed import DEMO, PASSWORD, PERMANENT_TOKEN, USERNAME

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def cp_server() -> Iterator[SandboxServer]:
    server = SandboxServer(CpExtenderApp(), seed=3).start()
    yield server
    server.stop()


@pytest.fixture
def http(cp_server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cp_server.url, timeout=5) as client:
        yield client


def _token(http: httpx.Client) -> str:
    answer = http.post("/SSO/Login", json={"UserName": USERNAME, "Password": PASSWORD})
    assert answer.status_code == 200
    return str(answer.json()["APItoken"])


def _auth(http: httpx.Client) -> dict[str, str]:
    return {**JSON, "Authorization": f"Bearer {_token(http)}"}


def _balance(http: httpx.Client, number: str, headers: dict[str, str],
             body: Any = None) -> dict[str, Any]:
    answer = http.request("GET", f"/Loyalty/{number}/BalanceCheck", headers=headers, json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["Loyalty"])


def test_every_request_needs_the_json_content_type(http: httpx.Client) -> None:
    assert http.get("/Connection/Status").status_code == 415
    assert http.get("/Connection/Status", headers=JSON).json()["Status"] == "Ok"
    assert http.get("/Connection/GetVersion", headers=JSON).json() == {"Version": "1.0.0.0"}


def test_login_answers_an_apitoken_and_stale_tokens_get_401(
        http: httpx.Client, cp_server: SandboxServer) -> None:
    bad = http.post("/SSO/Login", json={"UserName": USERNAME, "Password": "nope"})
    assert bad.status_code == 401
    token = _token(http)
    assert token.count(".") == 2  # shaped like a JWT
    headers = {**JSON, "Authorization": f"Bearer {token}"}
    assert http.get(f"/Loyalty/{DEMO['plenty']}/BalanceCheck", headers=headers).status_code \
        == 200
    app = cp_server.app
    assert isinstance(app, CpExtenderApp)
    app.expire_tokens()
    stale = http.get(f"/Loyalty/{DEMO['plenty']}/BalanceCheck", headers=headers)
    assert (stale.status_code, stale.text) == (401, "Not Authorized")
    permanent = {**JSON, "Authorization": f"Bearer {PERMANENT_TOKEN}"}
    assert http.get(f"/Loyalty/{DEMO['plenty']}/BalanceCheck", headers=permanent) \
        .status_code == 200


def test_balance_check_shows_holds_and_keeps_available_consistent(http: httpx.Client) -> None:
    loyalty = _balance(http, DEMO["held"], _auth(http))
    assert (loyalty["PointBalance"], loyalty["OpenAuthorizations"],
            loyalty["PendingPointsEarned"], loyalty["AvailablePointBalance"]) == (1504, 1000, 0,
                                                                                 504)
    pending = [r for r in loyalty["History"] if r.get("Activity") == "Pending Charge"]
    assert pending == [{"Activity": "Pending Charge", "Date": pending[0]["Date"],
                        "PointAmount": 1000, "Location": "Web Order",
                        "Document": "WB-101-10444"}]
    assert dt.datetime.strptime(pending[0]["Date"], "%m/%d/%Y")
    history = _balance(http, DEMO["history"], _auth(http))
    assert len(history["History"]) > 100
    assert history["AvailablePointBalance"] == history["PointBalance"] - 50


def test_balance_check_takes_its_optional_body_on_the_get(http: httpx.Client) -> None:
    headers = _auth(http)
    everything = _balance(http, DEMO["history"], headers)["History"]
    now = dt.datetime.now(dt.UTC)
    window = {"startDate": (now - dt.timedelta(days=30)).strftime("%m/%d/%Y %H:%M:%S.000"),
              "endDate": now.strftime("%m/%d/%Y %H:%M:%S.000")}
    recent = _balance(http, DEMO["history"], headers, window)["History"]
    assert 1 < len(recent) < len(everything)
    bad = http.request("GET", f"/Loyalty/{DEMO['history']}/BalanceCheck", headers=headers,
                       json={"startDate": "2024-01-01"})
    assert bad.status_code == 400
    missing = http.get("/Loyalty/CPOL-999999/BalanceCheck", headers=headers)
    assert (missing.status_code, missing.text) == (404, "Id not found")


def test_earn_adds_points_with_its_reference_and_does_not_deduplicate(
        http: httpx.Client, cp_server: SandboxServer) -> None:
    headers = _auth(http)
    body = {"CustomerNumber": DEMO["plenty"], "Points": 25, "Reason": "Sale",
            "Reference": "POS1-000481"}
    assert http.post("/Loyalty/Earn", headers=headers, json=body).status_code == 204
    assert http.post("/Loyalty/Earn", headers=headers, json=body).status_code == 204
    loyalty = _balance(http, DEMO["plenty"], headers)
    assert loyalty["PointBalance"] == 2550
    rows = [r for r in loyalty["History"] if r.get("Document") == "POS1-000481"]
    assert [r["PointAmount"] for r in rows] == [25, 25] and rows[0]["Reason"] == "Sale"
    assert [r["key"] for r in cp_server.app.ledger] == ["POS1-000481", "POS1-000481"]
    unknown = http.post("/Loyalty/Earn", headers=headers, json={**body, "CustomerNumber": "X"})
    assert (unknown.status_code, unknown.text) == (404, "CustomerNumber Not Found")
    enrolled = http.post("/Loyalty/Earn", headers=headers,
                         json={**body, "CustomerNumber": DEMO["not_enrolled"]})
    assert (enrolled.status_code, enrolled.text) == (400, "Not enrolled in Loyalty")
    assert http.post("/Loyalty/Earn", headers=headers, json={**body, "Points": -3}) \
        .status_code == 400


def test_authorize_holds_points_and_confirm_takes_them(http: httpx.Client) -> None:
    headers = _auth(http)
    answer = http.post("/Loyalty/Authorize", headers=headers, json={
        "Type": "loyalty", "Ref": DEMO["plenty"], "SaleId": "S-1", "RequestedPoints": 300})
    assert answer.status_code == 200
    data = answer.json()
    code = data.pop("AuthCode")
    assert data == {"Type": "loyalty", "Ref": DEMO["plenty"], "SaleId": "S-1",
                    "RequestedPoints": 300}
    assert len(code) == 33 and code.startswith("G")
    held = _balance(http, DEMO["plenty"], headers)
    assert (held["OpenAuthorizations"], held["AvailablePointBalance"]) == (300, 2200)
    assert any(r.get("Document") == "S-1" and r.get("Activity") == "Pending Charge"
               for r in held["History"])
    wrong = http.post("/Authorize/Confirm", headers=headers, json={"Ref": "S-2",
                                                                    "AuthCode": code})
    assert wrong.status_code == 400
    assert http.post("/Authorize/Confirm", headers=headers,
                     json={"Ref": "S-1", "AuthCode": code}).status_code == 204
    after = _balance(http, DEMO["plenty"], headers)
    assert (after["PointBalance"], after["OpenAuthorizations"],
            after["AvailablePointBalance"]) == (2200, 0, 2200)
    assert [r["PointAmount"] for r in after["History"] if r.get("Document") == "S-1"] == [-300]
    again = http.post("/Authorize/Confirm", headers=headers, json={"Ref": "S-1",
                                                                    "AuthCode": code})
    assert (again.status_code, again.text) == (404, "AuthCode not found")


def test_cancel_releases_the_hold(http: httpx.Client) -> None:
    headers = _auth(http)
    code = http.post("/Loyalty/Authorize", headers=headers, json={
        "Type": "loyalty", "Ref": DEMO["plenty"], "SaleId": "S-9",
        "RequestedPoints": 100}).json()["AuthCode"]
    assert http.post("/Authorize/Cancel", headers=headers,
                     json={"Ref": "S-9", "AuthCode": code}).status_code == 204
    after = _balance(http, DEMO["plenty"], headers)
    assert (after["PointBalance"], after["AvailablePointBalance"]) == (2500, 2500)
    assert not any(r.get("Document") == "S-9" for r in after["History"])


@pytest.mark.parametrize(("body", "phrase"), [
    ({"Type": "loyalty", "Ref": DEMO["plenty"], "SaleId": "S"},
     "Required: Type, Ref, SaleId, and (RequestedAmount or RequestedPoints)"),
    ({"Type": "gift", "Ref": DEMO["plenty"], "SaleId": "S", "RequestedPoints": 1},
     "Type is not valid"),
    ({"Type": "loyalty", "Ref": DEMO["empty"], "SaleId": "S", "RequestedPoints": 1},
     "No Balance Remaining"),
    ({"Type": "loyalty", "Ref": DEMO["held"], "SaleId": "S", "RequestedPoints": 505},
     "No Balance Remaining"),
    ({"Type": "loyalty", "Ref": DEMO["not_enrolled"], "SaleId": "S", "RequestedPoints": 1},
     "Not enrolled in Loyalty"),
])
def test_authorize_errors_are_the_documented_phrases(http: httpx.Client, body: dict[str, Any],
                                                     phrase: str) -> None:
    answer = http.post("/Loyalty/Authorize", headers=_auth(http), json=body)
    assert (answer.status_code, answer.text) == (400, phrase)


def test_the_switch_answers_authorize_without_an_authcode(
        http: httpx.Client, cp_server: SandboxServer) -> None:
    app = cp_server.app
    assert isinstance(app, CpExtenderApp)
    app.authorize_without_code = True
    answer = http.post("/Loyalty/Authorize", headers=_auth(http), json={
        "Type": "loyalty", "Ref": DEMO["plenty"], "SaleId": "S-3", "RequestedPoints": 5})
    assert answer.status_code == 200 and "AuthCode" not in answer.json()
    assert _balance(http, DEMO["plenty"], _auth(http))["OpenAuthorizations"] == 5


def test_customers_by_id_and_email(http: httpx.Client) -> None:
    headers = _auth(http)
    info = http.get(f"/Customer/FromId/{DEMO['held']}", headers=headers).json()["CustomerInfo"]
    assert (info["CPCustomerID"], info["FullName"]) == (DEMO["held"], "Ann Lee")
    found = http.get("/Customer/FromEmail/ANN@example.com", headers=headers).json()
    assert found["CustomerInfo"]["CPCustomerID"] == DEMO["held"]
    assert http.get("/Customer/FromId/nobody", headers=headers).status_code == 404


def test_state_survives_a_dump_and_restore(cp_server: SandboxServer, http: httpx.Client) -> None:
    headers = _auth(http)
    http.post("/Loyalty/Earn", headers=headers, json={"CustomerNumber": DEMO["plenty"],
                                                       "Points": 7, "Reason": "x",
                                                       "Reference": "r-1"})
    fresh = CpExtenderApp()
    fresh.load_state(cp_server.app.state())
    assert fresh.db["loyalty"][DEMO["plenty"]]["PointBalance"] == 2507
    assert len(fresh.ledger) == 1
    with pytest.raises(TypeError):
        fresh.restore({"customers": [], "loyalty": {}, "holds": {}})
