"""The CP Extender sandbox: the loyalty, customer, login and connection methods on loopback.

Wire shape (``seeds/cp-extender-loyalty-api.txt``, ``references/cp-extender.md`` and
``contracts/cp-extender.md``): ``/{Controller}/{Method}[/{Id}]``, ``Content-Type:
application/json`` required on every request (GETs included), a bearer token from
``SSO/Login`` (``APItoken``) or a permanent one, errors as an HTTP status with a short phrase.
Choices the documents leave open are marked **assumed**.
"""

from __future__ import annotations

import copy
import datetime as dt
import hmac
import secrets
import time
from typing import TYPE_CHECKING, Any

from pos_app.core.sandbox import params
from pos_app.core.sandbox.app import Exercise, Failure, Request, Response, ServiceApp
from pos_app.core.services.cpextender import demo
from pos_app.core.services.cpextender.seed import (
    DEMO,
    PASSWORD,
    PERMANENT_TOKEN,
    TOKEN_TTL,
    USERNAME,
    date_text,
    seed_state,
)

if TYPE_CHECKING:
    from pos_app.core.sandbox.server import SandboxServer

__all__ = ["DEMO", "CpExtenderApp"]

#: ``startDate`` / ``endDate`` of BalanceCheck's optional body.
STAMP_FORMAT = "%m/%d/%Y %H:%M:%S.%f"
REQUIRED_AUTHORIZE = "Required: Type, Ref, SaleId, and (RequestedAmount or RequestedPoints)"
PENDING = "Pending Charge"


class _Fail(Failure):
    """An error: the status with its short phrase as a plain-text body (**assumed**: the
    body's format is not documented)."""

    def __init__(self, status: int, phrase: str) -> None:
        super().__init__(Response(status, phrase.encode("utf-8"),
                                  {"Content-Type": "text/plain; charset=utf-8"}))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CpExtenderApp(ServiceApp):
    """CP Extender on loopback: customers, loyalty balances, holds by AuthCode, history."""

    base_path = ""
    name = "cpextender"

    def __init__(self) -> None:
        super().__init__()
        self.db: dict[str, Any] = seed_state()
        #: Login tokens -> when they go stale (``time.time()``); not saved with the state.
        self.tokens: dict[str, float] = {}
        self.token_ttl = TOKEN_TTL
        #: The switch: Authorize answers without an ``AuthCode`` for every customer.
        self.authorize_without_code = False

    # -- plumbing ----------------------------------------------------------------------------

    def route(self, request: Request) -> Response:
        parts = request.segments
        if request.header("content-type") is None or not request.header(
                "content-type").split(";")[0].strip().lower() == "application/json":
            # Assumed status: the overview only says every request must send it.
            raise _Fail(415, "Content-Type must be application/json")
        key = "/".join(parts[:2])
        if key in ("Connection/Status", "Connection/GetVersion", "SSO/Login"):
            return self._open_route(key, request)
        self._authorize_bearer(request)
        if len(parts) == 3 and parts[0] == "Loyalty" and parts[2] == "BalanceCheck":
            return self._only("GET", request, lambda: self._balance_check(parts[1], request))
        if len(parts) == 3 and parts[0] == "Customer" and parts[1] in ("FromEmail", "FromId"):
            return self._only("GET", request, lambda: self._customer(parts[1], parts[2]))
        writes = {"Loyalty/Earn": self._earn, "Loyalty/Authorize": self._authorize,
                  "Authorize/Confirm": self._confirm, "Authorize/Cancel": self._cancel}
        if len(parts) == 2 and key in writes:
            return self._only("POST", request, lambda: writes[key](self._body(request)))
        raise _Fail(404, "Not Found")

    @staticmethod
    def _only(method: str, request: Request, handler: Any) -> Response:
        if request.method != method:
            raise _Fail(405, "Method Not Allowed")
        return handler()

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        body = request.json()
        if not isinstance(body, dict):
            raise _Fail(400, "Bad Request")
        return body

    def _open_route(self, key: str, request: Request) -> Response:
        if key == "Connection/Status":
            return Response.json({"Status": "Ok", "GlobalDefaults": {
                "eCommerceControlDefaults": {"StrId": "01", "DrwId": "01"},
                "installationSettings": {"UsrId": "POS", "MgGcProductType": "giftvoucher",
                                         "CpGcItemNo": "GIFTCARD"}}})
        if key == "Connection/GetVersion":
            return Response.json({"Version": "1.0.0.0"})
        if request.method != "POST":
            raise _Fail(405, "Method Not Allowed")
        body = self._body(request)
        user, password = body.get("UserName"), body.get("Password")
        if not (isinstance(user, str) and isinstance(password, str)
                and hmac.compare_digest(user.encode(), USERNAME.encode())
                and hmac.compare_digest(password.encode(), PASSWORD.encode())):
            raise _Fail(401, "Not Authorized")   # assumed: the login error is not documented
        token = ".".join(secrets.token_urlsafe(n) for n in (12, 24, 16))
        self.tokens[token] = time.time() + self.token_ttl
        return Response.json({"APItoken": token})

    def _authorize_bearer(self, request: Request) -> None:
        header = request.header("authorization") or ""
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        if token and hmac.compare_digest(token.encode(), PERMANENT_TOKEN.encode()):
            return
        if self.tokens.get(token, 0.0) > time.time():
            return
        raise _Fail(401, "Not Authorized")

    def expire_tokens(self) -> None:
        """Make every login token stale (the next call with one gets 401)."""
        with self.lock:
            self.tokens.clear()

    def shorten_tokens(self, seconds: float) -> None:
        self.token_ttl = seconds

    # -- reading -----------------------------------------------------------------------------

    def _loyalty(self, number: str) -> dict[str, Any] | None:
        return self.db["loyalty"].get(number)

    def _holds_of(self, number: str) -> list[dict[str, Any]]:
        return [h for h in self.db["holds"].values() if h["Customer"] == number]

    def _figures(self, number: str) -> dict[str, int]:
        record = self.db["loyalty"][number]
        held = sum(h["Points"] for h in self._holds_of(number))
        return {"PointBalance": record["PointBalance"], "OpenAuthorizations": held,
                "PendingPointsEarned": record["PendingPointsEarned"],
                "AvailablePointBalance": record["PointBalance"] - held
                - record["PendingPointsEarned"]}

    def _balance_check(self, number: str, request: Request) -> Response:
        record = self._loyalty(number)
        if record is None:
            raise _Fail(404, "Id not found")
        start, end = _now() - dt.timedelta(days=365), _now()
        if request.body.strip():
            body = self._body(request)
            start = self._stamp(body.get("startDate"), start)
            end = self._stamp(body.get("endDate"), end)
        rows = [{k: v for k, v in r.items() if k != "At"} for r in record["History"]
                if start <= dt.datetime.fromisoformat(r["At"]) <= end
                or r.get("Activity") == "Historical Summary"]
        rows += [{"Activity": PENDING, "Date": h["Date"], "PointAmount": h["Points"],
                  "Location": h["Location"], "Document": h["SaleId"]}
                 for h in self._holds_of(number)]
        loyalty = {"CustomerNumber": number, "ProgramName": record["ProgramName"],
                   "EarningDescription": record["EarningDescription"],
                   "RedemptionDescription": record["RedemptionDescription"],
                   "Status": record["Status"], **self._figures(number), "History": rows}
        return Response.json({"Loyalty": loyalty})

    @staticmethod
    def _stamp(value: Any, default: dt.datetime) -> dt.datetime:
        if value is None:
            return default
        try:
            return dt.datetime.strptime(str(value), STAMP_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            raise _Fail(400, "Bad Request") from None

    def _customer(self, how: str, value: str) -> Response:
        found = None
        if how == "FromId":
            found = self.db["customers"].get(value)
        else:
            found = next((c for c in self.db["customers"].values()
                          if c["Email"].lower() == value.strip().lower()), None)
        if found is None:
            raise _Fail(404, "Customer Not Found")   # assumed: not documented
        return Response.json({"CustomerInfo": copy.deepcopy(found)})

    # -- changes -----------------------------------------------------------------------------

    def _history(self, number: str, points: int, **extra: Any) -> None:
        when = _now()
        self.db["loyalty"][number]["History"].append(
            {"Date": date_text(when), "PointAmount": points, "At": when.isoformat(), **extra})

    def _changed(self, action: str, number: str, body: dict[str, Any], key: str,
                 result: Any, response: Response) -> Response:
        """Record a change in the ledger under the operation's key (``Reference`` or
        ``SaleId``; the hold's ``SaleId`` for Confirm and Cancel)."""
        self.record(action, number, body, result, key=key)
        response.changed = True
        return response

    def _earn(self, body: dict[str, Any]) -> Response:
        number = params.text(body.get("CustomerNumber"), limit=40)
        points = params.whole(body.get("Points"))
        reference = params.text(body.get("Reference"), limit=100)
        if number is None or points is None or reference is None:
            raise _Fail(400, "Bad Request")
        if number not in self.db["customers"]:
            raise _Fail(404, "CustomerNumber Not Found")
        if self._loyalty(number) is None:
            raise _Fail(400, "Not enrolled in Loyalty")   # assumed, as on Authorize
        # Assumed, as the contract says: no de-duplication on Reference.
        self.db["loyalty"][number]["PointBalance"] += points
        self._history(number, points, Document=reference,
                      Reason=params.text(body.get("Reason"), limit=100) or "")
        return self._changed("Loyalty/Earn", number, body, reference, {"Points": points},
                             Response(204))

    def _authorize(self, body: dict[str, Any]) -> Response:
        kind, number = body.get("Type"), params.text(body.get("Ref"), limit=40)
        sale = params.text(body.get("SaleId"), limit=100)
        points = params.whole(body.get("RequestedPoints"))
        if not isinstance(kind, str) or number is None or sale is None or points is None:
            raise _Fail(400, REQUIRED_AUTHORIZE)
        if kind.strip().lower() != "loyalty":
            raise _Fail(400, "Type is not valid")
        record = self._loyalty(number)
        if record is None:
            raise _Fail(400, "Not enrolled in Loyalty")
        if points > self._figures(number)["AvailablePointBalance"]:
            raise _Fail(400, "No Balance Remaining")
        # Assumed: no de-duplication on SaleId either; each Authorize is a new hold.
        code = "G" + secrets.token_hex(16).upper()
        when = _now()
        self.db["holds"][code] = {"AuthCode": code, "Customer": number, "SaleId": sale,
                                  "Points": points, "Location": "POS",
                                  "Date": date_text(when), "At": when.isoformat()}
        answer: dict[str, Any] = {"Type": kind, "Ref": number, "SaleId": sale,
                                  "RequestedPoints": points}
        if not (self.authorize_without_code or record.get("NoAuthCode")):
            answer["AuthCode"] = code   # assumed: the documented answer only echoes
        return self._changed("Loyalty/Authorize", number, body, sale, {"AuthCode": code},
                             Response.json(answer))

    def _hold(self, body: dict[str, Any]) -> dict[str, Any]:
        ref, code = params.text(body.get("Ref"), limit=100), params.text(body.get("AuthCode"),
                                                                           limit=100)
        if ref is None or code is None:
            raise _Fail(400, "Required: Ref, AuthCode")
        hold = self.db["holds"].get(code)
        if hold is None:
            raise _Fail(404, "AuthCode not found")   # assumed: unknown, confirmed or cancelled
        if hold["SaleId"] != ref:
            raise _Fail(400, "Ref does not match the authorization")   # assumed: Ref = SaleId
        return hold

    def _confirm(self, body: dict[str, Any]) -> Response:
        hold = self._hold(body)
        del self.db["holds"][hold["AuthCode"]]
        self.db["loyalty"][hold["Customer"]]["PointBalance"] -= hold["Points"]
        self._history(hold["Customer"], -hold["Points"], Document=hold["SaleId"],
                      Reason="Redeemed")
        return self._changed("Authorize/Confirm", hold["Customer"], body, hold["SaleId"],
                             {"Points": hold["Points"]}, Response(204))

    def _cancel(self, body: dict[str, Any]) -> Response:
        hold = self._hold(body)
        del self.db["holds"][hold["AuthCode"]]
        return self._changed("Authorize/Cancel", hold["Customer"], body, hold["SaleId"],
                             {"Points": hold["Points"]}, Response(204))

    # -- persistence and demo info -----------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        return self.db

    def restore(self, data: dict[str, Any]) -> None:
        for key in ("customers", "loyalty", "holds"):
            if not isinstance(data[key], dict):
                raise TypeError(f"state: {key} is not an object")
        self.db = copy.deepcopy({k: v for k, v in data.items() if k != "ledger"})

    def info(self) -> dict[str, Any]:
        with self.lock:
            cards = []
            for name, number in DEMO.items():
                person = self.db["customers"].get(number)
                if person is None:
                    continue
                available = (None if self._loyalty(number) is None
                             else int(self._figures(number)["AvailablePointBalance"]))
                cards.append({"code": number, "kind": "points",
                              "label": demo.label(name, available),
                              "holder": person["FullName"]})
            return {"username": USERNAME, "password": PASSWORD, "token": PERMANENT_TOKEN,
                    "email": self.db["customers"][DEMO["plenty"]]["Email"], "cards": cards}

    def exercise(self) -> Exercise:
        return Exercise(reads="Loyalty/*/BalanceCheck",
                        writes="Loyalty/Earn|Loyalty/Authorize|Authorize/*",
                        spend_code=DEMO["plenty"], auth="SSO/Login", keyed=True)

    def card_codes(self) -> list[str]:
        with self.lock:
            return sorted(self.db["loyalty"])

    def showcase(self) -> dict[str, str]:
        return {"hold": DEMO["held"]}

    def settings(self, server: SandboxServer) -> dict[str, Any]:
        # The demo customers' numbers: beside another service's numbers of the same shape
        # (letters, a dash, digits) on one sandbox, the pattern tells them apart.
        return {"base_url": server.url, "username": USERNAME, "password": PASSWORD,
                "earn_rate": 1, "pattern": r"(?i)CPOL-\d{3,12}"}
