"""The five services' adapters speak Russian to a Russian till, over real HTTP to their
sandboxes: refusals, card facts, step descriptions, counts in three plural forms, money in
roubles and dates as Russians write them; the back office's Mews commands as well."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from helpers.sandboxed import backend_for, op, served

from pos_app.core.backends.base import Backend
from pos_app.core.errors import ConfigError, InvalidAmount, InvalidInput, NotSupported, Refused
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services import cpextender, loona, luna, mews, spec, templates_notes, vmob
from pos_app.core.services import get as service_named
from pos_app.core.services.cpextender.sandbox import CpExtenderApp
from pos_app.core.services.cpextender.seed import DEMO as CP
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.services.mews.sandbox import DEMO as MEWS
from pos_app.core.services.mews.sandbox import MewsApp
from pos_app.core.services.vmob.sandbox import VmobApp
from pos_app.core.services.vmob.seed import DEMO as VMOB

pytestmark = pytest.mark.usefixtures("russian")


def plain(text: str) -> str:
    """``text`` with CLDR's no-break spaces (``1 234,50 ₽``) as plain ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def luna_backend(luna_server: SandboxServer) -> Iterator[Backend]:
    with backend_for(luna.SERVICE, luna_server) as made:
        yield made


@pytest.fixture
def loona_backend(loona_server: SandboxServer) -> Iterator[Backend]:
    with backend_for(loona.SERVICE, loona_server) as made:
        yield made


@pytest.fixture
def cp_backend() -> Iterator[Backend]:
    for server in served(CpExtenderApp(), 4):
        with backend_for(cpextender.SERVICE, server) as made:
            yield made


@pytest.fixture
def vmob_backend() -> Iterator[Backend]:
    for server in served(VmobApp(), 3):
        with backend_for(vmob.SERVICE, server, earn_rate="0.5") as made:
            yield made


@pytest.fixture
def mews_backend() -> Iterator[Backend]:
    for server in served(MewsApp(), 0):
        with backend_for(mews.SERVICE, server) as made:
            yield made


def test_luna_history_figures_in_russian(luna_backend: Backend) -> None:
    stamps = luna_backend.history(luna_backend.get_card(LUNA["stamps"]))
    assert [(h.what, h.value) for h in stamps[:3]] == [
        ("Начисление", "3 штампа"), ("Начисление", "2 штампа"), ("Списание", "1 штамп")]
    cashback = {h.what: plain(h.value)
                for h in luna_backend.history(luna_backend.get_card(LUNA["cashback"]))}
    assert cashback["Сумма покупок увеличена"].startswith("10 000,00")

def test_luna_refuses_and_describes_its_steps_in_russian(luna_backend: Backend) -> None:
    certificate = luna_backend.get_card(LUNA["certificate"])
    with pytest.raises(Refused) as refused:
        luna_backend.plan(certificate, op("spend", "2000"))
    assert plain(refused.value.message) == "На карте 1 500,00 ₽; списать 2 000,00 ₽ нельзя."
    with pytest.raises(InvalidAmount) as whole:
        luna_backend.plan(certificate, op("spend", "10.50"))
    assert plain(str(whole.value)) == ("На сертификатах Luna только целые суммы: 10,50 ₽ "
                                       "использовать нельзя. Введите целое число.")
    with pytest.raises(NotSupported) as unsupported:
        luna_backend.plan(luna_backend.get_card(LUNA["coupon"]), op("spend", "10"))
    assert unsupported.value.message == "Купон: списывать баллы нельзя."
    stamps = luna_backend.get_card(LUNA["stamps"])
    described = [luna_backend.plan(stamps, op("stamp", n)).steps[0].description
                 for n in ("1", "3", "5", "21")]
    assert described == ["Начислить 1 штамп", "Начислить 3 штампа", "Начислить 5 штампов",
                         "Начислить 21 штамп"]
    expiry = luna_backend.plan(stamps, op("set-expiry", "2030-12-31")).steps[0]
    assert expiry.description == "Установить срок действия до 31.12.2030"
    assert expiry.expect["date"] == "2030-12-31"          # what machines read stays ISO
    assert luna_backend.check() == "Luna: подключено, 14 шаблонов карт"


def test_loona_refusals_say_the_balance_in_roubles(loona_backend: Backend) -> None:
    gift = loona_backend.get_card(LOONA["gift"])
    with pytest.raises(Refused) as refused:
        loona_backend.plan(gift, op("spend", "1234.50"))
    assert plain(str(refused.value)) == ("На карте 1 000,00 ₽; списать с неё 1 234,50 ₽ "
                                         "нельзя. Спишите не больше баланса; ничего не "
                                         "отправлено.")
    with pytest.raises(NotSupported) as unsupported:
        loona_backend.plan(loona_backend.get_card(LOONA["chop"]), op("coupon-activate"))
    assert unsupported.value.message.startswith("Карта со штампами: эта операция недоступна")
    with pytest.raises(InvalidInput, match="Введите не меньше 7 цифр номера телефона"):
        loona_backend.find_cards(phone="12-34")
    bonus = loona_backend.get_card(LOONA["bonus"])  # 350 points, up to 30 % of a purchase
    with pytest.raises(Refused) as over:
        loona_backend.plan(bonus, op("purchase-spend", "500", "200"))
    assert plain(over.value.message) == ("С карты можно оплатить не больше 150 баллов при "
                                         "покупке на 500,00 ₽.")
    with pytest.raises(Refused) as spend:
        loona_backend.plan(bonus, op("spend", "400"))
    assert plain(spend.value.message).startswith("На карте 350 баллов; списать с неё 400 "
                                                 "баллов нельзя.")


def test_cp_extender_facts_holds_and_history_in_russian(cp_backend: Backend) -> None:
    card = cp_backend.get_card(CP["held"])
    facts = {label: plain(value) for label, value in card.facts}
    assert (facts["Всего баллов"], facts["В резерве"], facts["Ожидают начисления"]) == (
        "1 504", "1 000", "0")
    with pytest.raises(Refused) as refused:
        cp_backend.plan(card, op("spend", "1000"))
    assert plain(refused.value.message) == ("Клиент может списать 504 балла; списать "
                                            "1 000 баллов нельзя.")
    hold = cp_backend.plan(card, op("hold", "250"))
    assert [s.description for s in hold.steps] == ["Зарезервировать 250 баллов",
                                                   "Списать 250 зарезервированных баллов"]
    assert hold.steps[1].cancel is not None
    assert hold.steps[1].cancel.description == "Снять резерв с 250 баллов"
    pending = next(r for r in cp_backend.history(card) if "Pending Charge" in r.what)
    assert plain(pending.value) == "+1 000 баллов"


def test_vmob_notes_and_refusals_in_russian(vmob_backend: Backend) -> None:
    card = vmob_backend.get_card(VMOB["near"])
    assert card.balance_note.startswith("У vmob нет запроса, читающего баллы клиента")
    with pytest.raises(InvalidAmount) as small:
        vmob_backend.plan(card, op("purchase", "1.50"))
    assert plain(small.value.message) == ("За покупку на 1,50 ₽ баллы не начисляются "
                                          "(0,50 балла за каждую единицу валюты).")
    plan = vmob_backend.plan(card, op("accrue", "5"))
    answer = vmob_backend.execute(card, plan.steps[0], "ru-test-1")
    notes = dict(vmob_backend.outcome(plan, [answer]).notes or ())
    assert notes["Карта 1"] == "+2 балла, теперь 10, заполнена: получена награда"
    with pytest.raises(NotSupported, match="Это код клиента, а не код предложения"):
        vmob_backend.plan(card, op("report-offer"))


def test_mews_refusals_and_steps_in_russian(mews_backend: Backend) -> None:
    member = mews_backend.get_card(MEWS["member"])
    with pytest.raises(Refused) as refused:
        mews_backend.plan(member, op("spend", "341"))
    assert refused.value.message == "У участия 340 баллов; списать 341 нельзя."
    step = mews_backend.plan(member, op("accrue", "1")).steps[0]
    assert step.description == "Начислить 1 балл (340 -> 341)"
    expiry = mews_backend.plan(member, op("set-expiry", "2030-12-31")).steps[0]
    assert expiry.description == "Установить срок действия до 31.12.2030"
    assert mews_backend.check().startswith("Mews: подключено, 12 программ лояльности: ")


def test_the_mews_back_office_commands_speak_russian_but_not_in_json(
        capsys: pytest.CaptureFixture[str]) -> None:
    from pos_app.cli.main import main

    assert main(["mews", "programs"]) == 0
    listed = capsys.readouterr().out
    assert "Golf Friends  (без уровней)" in listed and "(Silver, Gold, Platinum)" in listed
    harbour = next(p for p in json.loads(_programs_json(capsys)) if p["code"] == "HC")
    assert [t["name"] for t in harbour["tiers"]] == ["Silver", "Gold", "Platinum"]
    assert main(["mews", "program-add", "Pool Club", "PC"]) == 0
    added = capsys.readouterr().out.strip()
    assert added.startswith("Программа Pool Club (PC) добавлена: ")
    new_id = added.rsplit(": ", 1)[1]
    assert main(["mews", "program-delete", new_id]) == 0
    assert capsys.readouterr().out.strip() == f"Программа {new_id} удалена."
    assert main(["mews", "program-delete", harbour["id"]]) == 1
    assert "В программе 'Harbour Club' 4 действующих участия; программа не удалена." in (
        capsys.readouterr().err)


def _programs_json(capsys: pytest.CaptureFixture[str]) -> str:
    from pos_app.cli.main import main

    assert main(["mews", "programs", "--json"]) == 0
    return capsys.readouterr().out


def test_settings_labels_are_read_in_russian() -> None:
    assert luna.SERVICE.field("token") is not None
    assert luna.SERVICE.field("token").label == "Токен доступа"     # type: ignore[union-attr]
    assert spec.BASE_URL.label == "Адрес (базовый URL)"
    assert spec.BASE_URL.caption == "Address (base URL)"                # the English is kept
    assert "Шаблоны карт Luna показывает сам сервис." in templates_notes()
    with pytest.raises(ConfigError) as unknown:
        service_named("moon")
    assert unknown.value.message == "Неизвестный сервис 'moon'."
    assert unknown.value.hint.startswith("Приложение знает: luna, ")


def test_dates_and_amounts_are_only_for_people(luna_backend: Backend) -> None:
    """The journal-bound figures keep ISO dates and plain decimals in Russian too."""
    card = luna_backend.get_card(LUNA["certificate"])
    plan = luna_backend.plan(card, op("set-expiry", "2031-01-05"))
    assert plan.preview["expires"] == "2031-01-05"
    assert plan.steps[0].body["expiryDate"] == int(dt.datetime(2031, 1, 5, 23, 59,
                                                               59).timestamp())
    spend = luna_backend.plan(card, op("spend", "1200"))
    assert spend.steps[0].body["sum"] == 1200 and spend.preview["balance"] == Decimal(300)
