"""The five services' wire errors reach a Russian till in Russian: over real HTTP to the
sandboxes, with the faults injected there (a failing status, junk, a refusal code, a 403),
and with what the cashier typed refused before anything is sent. Only the texts of the wire
modules are asserted: messages from the shared HTTP layer and the errors' default hints are
another module's."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from helpers.sandboxed import backend_for, op, served

from pos_app.core.backends.base import Step
from pos_app.core.errors import (
    BadResponse,
    CardChanged,
    CardNotFound,
    InvalidInput,
    NotSupported,
    OutcomeUnknown,
    Refused,
    ServiceUnavailable,
)
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services import cpextender, loona, luna, mews, vmob
from pos_app.core.services.cpextender.sandbox import CpExtenderApp
from pos_app.core.services.cpextender.seed import DEMO as CP
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.services.mews.sandbox import DEMO as MEWS
from pos_app.core.services.mews.sandbox import MewsApp
from pos_app.core.services.vmob.sandbox import VmobApp
from pos_app.core.services.vmob.seed import DEMO as VMOB

pytestmark = pytest.mark.usefixtures("russian")

VMOB_POINTS = "v3/consumerLoyaltyCards/*"


@pytest.fixture
def vmob_server() -> Iterator[SandboxServer]:
    yield from served(VmobApp(), 3)


@pytest.fixture
def cp_server() -> Iterator[SandboxServer]:
    yield from served(CpExtenderApp(), 4)


@pytest.fixture
def mews_server() -> Iterator[SandboxServer]:
    yield from served(MewsApp(), 0)


def test_luna_failures_junk_and_typed_phones_in_russian(luna_server: SandboxServer) -> None:
    with backend_for(luna.SERVICE, luna_server) as backend:
        luna_server.faults.add(FaultRule(FaultKind.ERROR, route="getPassInfo", status=404))
        with pytest.raises(ServiceUnavailable) as missing:
            backend.get_card(LUNA["stamps"])
        assert missing.value.message == "Luna ответил ошибкой (HTTP 404)."
        assert missing.value.hint == "Проверьте адрес Luna в настройках."
        luna_server.faults.add(FaultRule(FaultKind.MALFORMED, route="getPassInfo"))
        with pytest.raises(BadResponse, match=r"^Ответ не похож на ответ Luna\."):
            backend.get_card(LUNA["stamps"])
        luna_server.faults.add(FaultRule(FaultKind.MALFORMED, route="getPassInfo",
                                         body='[{"result": 0, "error": 17}]'))
        with pytest.raises(Refused, match=r"^Luna отклонил запрос \(ошибка 17\)\."):
            backend.get_card(LUNA["stamps"])
        card = backend.get_card(LUNA["cashback"])
        step = backend.plan(card, op("accrue", "7")).steps[0]
        luna_server.faults.add(FaultRule(FaultKind.ERROR, route="usePass", status=400))
        with pytest.raises(OutcomeUnknown) as unknown:
            backend.execute(card, step, "k")
        assert unknown.value.message == ("Luna ответил ошибкой (HTTP 400) после отправки "
                                         "запроса.")
        with pytest.raises(InvalidInput) as phone:
            backend.find_cards(phone="12-3")
        assert phone.value.message == "'12-3' — не номер телефона."
        assert phone.value.hint == "Введите номер с кодом страны."
        with pytest.raises(InvalidInput, match=r"^'ivan\.example\.com' — не адрес e-mail\."):
            backend.find_cards(email="ivan.example.com")
        with pytest.raises(InvalidInput, match=r"^Введите телефон или e-mail клиента\."):
            backend.find_cards()
        assert luna_server.app.ledger == []


def test_luna_history_rows_are_named_in_russian(luna_server: SandboxServer) -> None:
    with backend_for(luna.SERVICE, luna_server) as backend:
        card = backend.get_card(LUNA["cashback"])
        plan = backend.plan(card, op("accrue", "7"))
        backend.execute(card, plan.steps[0], "k")
        rows = backend.history(card)
        assert rows and rows[0].what == "Начисление"
        known = {"Начисление", "Списание", "Получена награда", "Сумма покупок увеличена",
                 "Сумма покупок уменьшена", "Установлен срок действия"}
        assert {row.what for row in rows} <= known


def test_loona_refusal_codes_and_unreadable_answers_in_russian(
        loona_server: SandboxServer) -> None:
    with backend_for(loona.SERVICE, loona_server) as backend:
        gift = backend.get_card(LOONA["gift"])
        step = backend.plan(gift, op("spend", "10")).steps[0]
        loona_server.faults.add(FaultRule(FaultKind.MALFORMED, route="transactions/*",
                                          body='{"code": "SPEND_LIMIT_EXCEEDED"}'))
        with pytest.raises(Refused) as limit:
            backend.execute(gift, step, "ru-1")
        assert limit.value.message == "Это больше, чем можно оплатить с карты в этой покупке."
        assert limit.value.hint == "Уменьшите сумму списания; ничего не изменено."
        loona_server.faults.add(FaultRule(FaultKind.MALFORMED, route="transactions/*",
                                          body='{"code": "VALIDATION_ERROR", '
                                               '"message": "amount: must be positive"}'))
        with pytest.raises(Refused) as invalid:
            backend.execute(gift, step, "ru-2")
        assert invalid.value.message == ("Loona не принял отправленные значения: amount: "
                                         "must be positive")
        loona_server.faults.add(FaultRule(FaultKind.MALFORMED, route="transactions/*",
                                          body="{}", apply=True))
        with pytest.raises(OutcomeUnknown) as unknown:
            backend.execute(gift, step, "ru-3")
        assert unknown.value.message == ("Не удалось прочитать ответ Loona на операцию "
                                         "(HTTP 200).")
        assert unknown.value.hint == ("Приложение может безопасно повторить операцию: Loona "
                                      "проводит каждую операцию только один раз.")
        loona_server.faults.add(FaultRule(FaultKind.ERROR, route="transactions/*",
                                          status=400))
        with pytest.raises(Refused, match=r"^Loona отклонил операцию \(HTTP 400\)\."):
            backend.execute(gift, step, "ru-4")


def test_cp_extender_unknown_customer_and_unreadable_hold_in_russian(
        cp_server: SandboxServer) -> None:
    with backend_for(cpextender.SERVICE, cp_server) as backend:
        with pytest.raises(CardNotFound) as unknown:
            backend.get_card("CPOL-999999")
        assert unknown.value.message == ("В CP Extender нет клиента с таким номером "
                                         "(Id not found).")      # its own words stay English
        card = backend.get_card(CP["plenty"])
        elsewhere = Step("Loyalty/Earn", {"CustomerNumber": CP["not_enrolled"], "Points": 5,
                                          "Reason": "x", "Reference": None}, "x")
        with pytest.raises(NotSupported) as enrolled:
            backend.execute(card, elsewhere, "ru-earn-1")
        assert enrolled.value.message == "Клиент не зарегистрирован в программе лояльности."
        assert enrolled.value.hint == ("Сначала зарегистрируйте клиента в программе в "
                                       "Counterpoint; ничего не изменено.")
        hold = backend.plan(card, op("hold", "100")).steps[0]
        cp_server.faults.add(FaultRule(FaultKind.MALFORMED, route="Loyalty/Authorize",
                                       body='{"SaleId": "someone else"}', apply=True))
        with pytest.raises(OutcomeUnknown) as lost:
            backend.execute(card, hold, "ru-hold-1")
        assert lost.value.message == ("Не удалось прочитать ответ CP Extender на Authorize "
                                      "(HTTP 200).")


def test_vmob_403_and_outcome_words_in_russian(vmob_server: SandboxServer) -> None:
    with backend_for(vmob.SERVICE, vmob_server, merchant_key="d3Jvbmc6a2V5") as wrong:
        card = wrong.get_card(VMOB["near"])
        with pytest.raises(Refused) as refused:
            wrong.execute(card, wrong.plan(card, op("accrue", "1")).steps[0], "ru-403")
        assert refused.value.message == ("vmob отклонил запрос: не принят ключ продавца "
                                         "магазина или код клиента.")
        assert refused.value.hint.startswith("Попросите клиента обновить код в приложении")
        assert refused.value.hint.endswith("Ничего не начислено.")
    assert vmob_server.app.ledger == []
    with backend_for(vmob.SERVICE, vmob_server) as backend:
        card = backend.get_card(VMOB["near"])
        step = backend.plan(card, op("accrue", "2")).steps[0]
        limited = {"pointsAllocated": 0, "pointCreationSummary": [
            {"instanceId": "a1", "pointsBalance": 4, "pointsAllocated": 0, "outcomeCode": 1,
             "outcomeDescription": "Daily limit"},
            {"instanceId": "a2", "pointsBalance": 0, "pointsAllocated": 0, "outcomeCode": 3,
             "outcomeDescription": "Inactive"}]}
        vmob_server.faults.add(FaultRule(FaultKind.MALFORMED, route=VMOB_POINTS,
                                         body=json.dumps(limited)))
        with pytest.raises(Refused) as none:
            backend.execute(card, step, "ru-limit")
        assert none.value.message == ("vmob не начислил баллы: достигнут дневной лимит баллов "
                                      "клиента; карта лояльности клиента неактивна.")
        vmob_server.faults.add(FaultRule(FaultKind.ERROR, route=VMOB_POINTS, status=400))
        with pytest.raises(Refused) as bad:
            backend.execute(card, step, "ru-400")
        assert bad.value.message == "vmob не принял начисление баллов (HTTP 400)."
        assert bad.value.hint == ("Проверьте идентификатор карты лояльности в настройках; "
                                  "ничего не начислено.")
        vmob_server.faults.add(FaultRule(FaultKind.DROP_AFTER, route=VMOB_POINTS))
        with pytest.raises(OutcomeUnknown) as lost:
            backend.execute(card, step, "ru-lost")
        assert lost.value.hint == ("Приложение может безопасно повторить операцию: vmob "
                                   "принимает каждый идентификатор транзакции только один раз.")


def test_mews_conflicts_and_shapes_in_russian(mews_server: SandboxServer) -> None:
    with backend_for(mews.SERVICE, mews_server) as backend:
        member = backend.get_card(MEWS["member"])
        step = backend.plan(member, op("accrue", "1")).steps[0]
        mews_server.faults.add(FaultRule(FaultKind.ERROR, route="loyaltyMemberships/update",
                                         status=409))
        with pytest.raises(CardChanged) as changed:
            backend.execute(member, step, "ru-1")
        assert changed.value.message == "Данные в Mews за это время изменились: посмотрите ещё раз."
        mews_server.faults.add(FaultRule(FaultKind.MALFORMED, route="loyaltyMemberships/getAll",
                                         body='{"Cursor": null}'))
        with pytest.raises(BadResponse, match=r"^Mews прислал список LoyaltyMemberships в "
                                              r"неожиданном виде\."):
            backend.get_card(MEWS["member"])
        mews_server.faults.add(FaultRule(FaultKind.ERROR, route="loyaltyMemberships/getAll",
                                         status=408))
        with pytest.raises(ServiceUnavailable, match=r"^Mews счёл запрос слишком тяжёлым"):
            backend.get_card(MEWS["member"])
