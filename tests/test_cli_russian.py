"""The command line and its reports in Russian: help and argparse's own words, human output
with Russian labels and money, ``--json`` unchanged, slips and shift summaries with Russian
dates, the CSV header in Russian."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pypdf
import pytest

from pos_app.cli.main import main
from pos_app.core.counter import Counter
from pos_app.core.export import COLUMNS, column_titles, read_csv, write_csv
from pos_app.core.journal import ShiftRow
from pos_app.core.operations import Operation
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.shift import summarise, summary_text
from pos_app.core.slip import Shop, build_slip, points

pytestmark = pytest.mark.usefixtures("russian")

NBSP = "\u00a0"
#: 31 December 2030, 14:05:33 local time.
NEW_YEARS_EVE = dt.datetime(2030, 12, 31, 14, 5, 33).astimezone()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _at(counter: Counter, entry_id: int, when: dt.datetime) -> None:
    counter.journal._db.execute(
        "UPDATE operations SET created = ? WHERE id = ?",
        (when.astimezone(dt.UTC).isoformat(timespec="milliseconds"), entry_id))


def _did(counter: Counter, code: str, op: str, *args: str) -> int:
    result = counter.apply(code, Operation.parse(op, list(args)))
    assert result.ok and result.journal_id is not None
    return result.journal_id


def test_card_in_russian_with_roubles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "card", LOONA["gift"])
    assert code == 0
    assert f"1{NBSP}000,00{NBSP}₽" in out
    lines = out.splitlines()
    assert any(line.startswith("Код ") and LOONA["gift"] in line for line in lines)
    assert any(line.startswith("Доступно ") for line in lines)
    # the values start in one column, after the longest label
    (code_line,) = [line for line in lines if line.startswith("Код ")]
    (ops_line,) = [line for line in lines if line.startswith("Доступно ")]
    values = ops_line[len("Доступно"):].lstrip()
    assert code_line.index(LOONA["gift"]) == len(ops_line) - len(values)
    assert "Песочница: демо-карты на этом компьютере" in err


def test_card_json_stays_english_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "card", LUNA["stamps"], "--json")
    assert code == 0 and not re.search("[а-яё]", err, re.I)
    card = json.loads(out)
    assert card["kind"] == "stamps" and card["stamps"]["current"] == 5
    if card.get("expires"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", card["expires"])
    code, out, _err = run(capsys, "card", LOONA["gift"], "--json")
    assert json.loads(out)["balance"] in ("1000.00", "1000", 1000)


def test_help_and_usage_errors_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("использование: pos-app")
    assert "параметры:" in out and "показать эту справку и выйти" in out
    assert "распознать код и показать карту" in out
    with pytest.raises(SystemExit) as done:
        main(["apply"])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert "pos-app apply: ошибка: нужно указать аргументы: code, operation" in err
    with pytest.raises(SystemExit):
        main(["nonsense"])
    assert "недопустимый вариант: 'nonsense'" in capsys.readouterr().err


def test_apply_and_journal_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "apply", LUNA["stamps"], "stamp", "2")
    assert code == 0
    assert out.startswith("Выполнено: ") and "Запись журнала №" in out
    code, out, _err = run(capsys, "journal")
    assert code == 0 and "выполнено" in out and "stamp 2" in out
    code, _out, err = run(capsys, "journal", "--state", "lost")
    assert code == 2 and "Неизвестное состояние 'lost'. Используйте done" in err
    code, _out, err = run(capsys, "journal", "--since", "вчера")
    assert code == 2 and "'вчера' — не дата. Введите дату как ГГГГ-ММ-ДД" in err


def test_slip_in_russian_with_its_date(counter: Counter, qapp: object, tmp_path: Path) -> None:
    from pos_app.qt.slip_print import save_pdf

    jid = _did(counter, LUNA["cashback"], "purchase-spend", "100", "20")
    _at(counter, jid, NEW_YEARS_EVE)
    entry = counter.journal.get(jid)
    assert entry is not None
    slip = build_slip(entry, Shop(), copy=True)
    lines = slip.lines()
    assert lines[0] == "Карта лояльности"
    assert lines[1] == "31.12.2030, 14:05:33"
    assert "Баланс: 404 балла" in lines
    assert lines[-2:] == [f"Запись журнала №{jid}", "Копия"]
    pdf = save_pdf(slip, tmp_path / "чек.pdf", 58)
    text = re.sub(r"\s+", " ", pypdf.PdfReader(pdf).pages[0].extract_text())
    for words in ("Карта лояльности", "31.12.2030", "Баланс 404 балла",
                  f"Запись журнала №{jid}"):
        assert words in text, (words, text)


@pytest.mark.parametrize(("value", "words"), [
    (1, "1 балл"), (2, "2 балла"), (5, "5 баллов"), (21, "21 балл"),
    (1234, f"1{NBSP}234 балла")])
def test_points_on_a_slip_take_the_right_form(value: int, words: str) -> None:
    assert points(value) == words


def test_shift_summary_in_russian(counter: Counter) -> None:
    first = _did(counter, LUNA["stamps"], "stamp", "1")
    second = _did(counter, LOONA["gift"], "spend", "150")
    entries = [counter.journal.get(first), counter.journal.get(second)]
    opened = dt.datetime(2030, 12, 31, 9, 0).astimezone().astimezone(dt.UTC).isoformat()
    closed = dt.datetime(2030, 12, 31, 21, 30).astimezone().astimezone(dt.UTC).isoformat()
    text = summary_text(summarise(ShiftRow(7, opened, closed, None, False), entries))
    assert text[0] == "Смена №7"
    assert text[1] == "31.12.2030, 09:00 – 21:30"
    assert "Loona: 1 операция" in text and "Luna: 1 операция" in text
    assert any("выполнено 1" in line for line in text)
    still = summary_text(summarise(ShiftRow(8, opened, None, None, True), []))
    assert still == ["Смена №8", "31.12.2030, 09:00 – открыта", "В этой смене нет операций."]


def test_csv_header_in_russian_values_for_machines(counter: Counter, tmp_path: Path) -> None:
    jid = _did(counter, LUNA["cashback"], "purchase-spend", "100", "20")
    _at(counter, jid, NEW_YEARS_EVE)
    entry = counter.journal.get(jid)
    assert entry is not None
    path = tmp_path / "журнал.csv"
    write_csv([entry], path)
    header, row = path.read_text(encoding="utf-8-sig").splitlines()
    assert header.startswith("Номер,Время,Время UTC,Сервис,Карта,")
    assert "2030-12-31 14:05:33" in row and ",80.00," in row
    (read,) = read_csv(path)
    assert list(read) == list(COLUMNS) and read["to_pay"] == "80.00"
    assert list(column_titles()) == list(COLUMNS)


def test_a_damaged_journal_is_told_in_russian_and_logged_in_english(
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    from pos_app.core.counter import JOURNAL_FILE
    from pos_app.core.paths import data_dir

    journal = data_dir() / JOURNAL_FILE
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_bytes(b"")
    code, _out, err = run(capsys, "journal")
    assert code == 0
    assert f"Журнал {journal} не удалось прочитать (он пуст: 0 байт)." in err
    assert "Его незавершённые операции прочитать не удалось" in err
    logged = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    assert logged and "(it is empty: 0 bytes)" in logged[0]
    caplog.clear()
