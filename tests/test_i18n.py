"""The language machinery: choosing, catalogues compiled from their source, plurals, and the
formats of numbers, money and dates (:mod:`pos_app.core.i18n`, :mod:`pos_app.core.formatting`)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.core import formatting, i18n
from pos_app.core.units import Unit, quantity

ROOT = Path(__file__).resolve().parent.parent


def _catalogue_tool():
    spec = importlib.util.spec_from_file_location("catalogue", ROOT / "scripts" / "catalogue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalogue"] = module
    spec.loader.exec_module(module)
    return module


def test_every_text_people_read_goes_through_the_catalogue() -> None:
    """A text that reads like words for people but is not marked for translation fails here
    (mark it with _() / N_(), or with a ``# i18n-skip`` comment if people never read it)."""
    found = _catalogue_tool().unmarked()
    assert not found, f"{len(found)} texts are not in the catalogue:\n" + "\n".join(found)


def test_the_russian_catalogue_is_complete_and_current() -> None:
    problems = _catalogue_tool().check(["ru"])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("system", "expected"), [
    (["ru_RU"], ("ru", "RU")), (["ru-RU", "en-US"], ("ru", "RU")), (["de_DE"], ("en", "DE")),
    (["en_GB"], ("en", "GB")), ([], ("en", None)), (["de_DE", "ru_RU"], ("ru", "DE")),
])
def test_the_system_language_is_followed(system: list[str], expected: tuple) -> None:
    assert i18n.resolve(i18n.SYSTEM, system) == expected


def test_the_settings_choice_wins_over_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POS_APP_LANGUAGE")
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert i18n.setup("en") == "en"
    assert i18n.setup("system") == "ru"
    assert i18n.setup("ru") == "ru"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n.setup("system") == "en"


@pytest.mark.parametrize("value", ["system", "en", "ru", "RU", "ru_RU", " ru-RU "])
def test_language_choices_parse(value: str) -> None:
    assert i18n.parse_choice(value) in ("system", "en", "ru")


@pytest.mark.parametrize("value", ["de", "klingon", 5, None])
def test_unknown_language_choices_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        i18n.parse_choice(value)


def test_an_edited_catalogue_is_compiled_again(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The .mo gettext reads is named by its .po's hash: an edit is never shadowed."""
    folder = tmp_path / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    monkeypatch.setattr(i18n, "locale_dir", lambda: tmp_path)
    header = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
              '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && '
              'n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n')
    po = folder / "pos_app.po"
    po.write_text(header + 'msgid "Card"\nmsgstr "Карта"\n', encoding="utf-8")
    assert i18n.load_catalogue("ru").gettext("Card") == "Карта"
    po.write_text(header + 'msgid "Card"\nmsgstr "Карточка"\n', encoding="utf-8")
    assert i18n.load_catalogue("ru").gettext("Card") == "Карточка"
    assert len(list(folder.glob("pos_app.*.mo"))) == 1


def test_a_language_without_a_catalogue_falls_back_to_english() -> None:
    i18n.set_language("xx")
    assert i18n.language() == "en"
    assert i18n._("Card") == "Card"


@pytest.mark.usefixtures("russian")
def test_russian_plurals_have_three_forms() -> None:
    def stamps(n: int) -> str:
        return quantity(n, Unit.STAMPS)

    assert [stamps(n) for n in (1, 2, 5, 11, 21, 22, 25)] == [
        "1 штамп", "2 штампа", "5 штампов", "11 штампов", "21 штамп", "22 штампа",
        "25 штампов"]


def test_english_plurals() -> None:
    def points(n: int) -> str:
        return i18n.ngettext("{count} point", "{count} points", n).format(count=n)

    assert [points(n) for n in (1, 2, 0)] == ["1 point", "2 points", "0 points"]


@pytest.mark.usefixtures("russian")
def test_russian_numbers_money_and_dates() -> None:
    assert formatting.money(Decimal("1234.5")) == "1\u00a0234,50\u00a0₽"
    assert formatting.money(Decimal("1234.5"), sign=False) == "1\u00a0234,50"
    assert formatting.number(12345) == "12\u00a0345"
    assert formatting.number(Decimal("12.00")) == "12"
    assert formatting.date(dt.date(2030, 12, 31)) == "31.12.2030"
    assert formatting.time(dt.time(14, 5)) == "14:05"
    assert formatting.datetime(dt.datetime(2030, 12, 31, 14, 5)) == "31.12.2030, 14:05"


def test_english_numbers_money_and_dates() -> None:
    assert formatting.money(Decimal("1234.5")) == "1,234.50"
    assert formatting.money(Decimal("-0.5")) == "-0.50"
    assert formatting.number(Decimal("1234")) == "1,234"
    assert formatting.date(dt.date(2030, 12, 31)) == "Dec 31, 2030"
    assert formatting.money(None) == formatting.number(None) == formatting.date(None) == "—"
    formatting.set_currency("EUR")
    assert formatting.money(Decimal("1234.5")) == "€1,234.50"


def test_the_system_territory_gives_the_currency_unless_the_shop_says() -> None:
    i18n.set_language("ru", territory="RU")
    formatting.set_currency(formatting.UNSET)
    assert formatting.money(Decimal("5")) == "5,00\u00a0₽"
    formatting.set_currency("")
    assert formatting.money(Decimal("5")) == "5,00"


def test_a_huge_mistyped_amount_is_still_shown() -> None:
    assert formatting.money(Decimal("123456789012345678901234567890")).endswith(".00")


SANDBOX = '[sandbox]\nenabled = true\n'


@pytest.mark.parametrize(("text", "named"), [
    ('[app]\nlanguage = "klingon"\n', "language"),
    ('[app]\nlanguage = 7\n', "language"),
    ('[app]\nlang = "ru"\n', "lang"),
    ('[shop]\ncurrency = "RUBLES"\n', "currency"),
    ('[shop]\ncurrency = 643\n', "currency"),
])
def test_a_bad_language_or_currency_in_the_settings_is_an_error_naming_it(
        isolated_dirs: Path, text: str, named: str) -> None:
    from pos_app.core.errors import ConfigError
    from pos_app.core.settings import load_settings

    (isolated_dirs / "settings.toml").write_text(SANDBOX + text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert named in info.value.message


@pytest.mark.parametrize(("text", "expected"), [
    ('[app]\nlanguage = "ru"\n[shop]\ncurrency = "rub"\n', ("ru", "RUB")),
    ('[app]\nlanguage = "system"\n[shop]\ncurrency = ""\n', ("system", None)),
    ('', ("system", formatting.UNSET)),
])
def test_the_language_and_currency_are_read_from_the_settings(
        isolated_dirs: Path, text: str, expected: tuple) -> None:
    from pos_app.core.settings import display_choices, load_settings

    (isolated_dirs / "settings.toml").write_text(SANDBOX + text, encoding="utf-8")
    settings = load_settings()
    assert (settings.language, settings.currency) == expected == display_choices()


def test_json_is_english_whatever_the_language(isolated_dirs: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` is for programs: English messages, ISO dates, plain decimals."""
    import json

    from pos_app.cli.main import main
    from pos_app.core.services.luna.seed import DEMO as LUNA

    (isolated_dirs / "settings.toml").write_text(
        SANDBOX + '[app]\nlanguage = "ru"\n[shop]\ncurrency = "RUB"\n', encoding="utf-8")
    assert main(["card", "no-such-card-000", "--json"]) != 0
    failure = json.loads(capsys.readouterr().out)
    assert failure["error"].isascii(), failure
    assert main(["card", LUNA["stamps"], "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert "₽" not in json.dumps(card, ensure_ascii=False)
    assert i18n.language() == "en"


def test_percentages_follow_the_language() -> None:
    assert [formatting.percent(v) for v in (5, Decimal("2.5"))] == ["5%", "2.5%"]
    i18n.set_language("ru")
    assert [formatting.percent(v) for v in (5, Decimal("2.5"))] == ["5\u00a0%", "2,5\u00a0%"]
