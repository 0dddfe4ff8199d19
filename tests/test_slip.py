"""The customer's slip: its lines, and a PDF 58 or 80 mm wide whose text is read back."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from pos_app.cli.main import main
from pos_app.core.counter import Counter
from pos_app.core.journal import State
from pos_app.core.operations import Operation
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.slip import Shop, build_slip, mask_code

MM = 72 / 25.4



def _text(path: Path) -> tuple[str, float, float]:
    """The PDF's one page: its text with spaces evened out, and its size in mm."""
    reader = pypdf.PdfReader(path)
    (page,) = reader.pages
    text = re.sub(r"\s+", " ", page.extract_text())
    return text, float(page.mediabox.width) / MM, float(page.mediabox.height) / MM


def test_mask_code_keeps_four() -> None:
    assert mask_code("931520-641-829") == "••••1829"
    assert mask_code("ab") == "••••ab"


def test_slip_pdf_text_and_width(counter: Counter, qapp: object, tmp_path: Path) -> None:
    from pos_app.qt.slip_print import save_pdf

    result = counter.apply(LUNA["cashback"], Operation.parse("purchase-spend", ["100", "20"]))
    entry = counter.journal.get(result.journal_id)  # type: ignore[arg-type]
    assert entry is not None
    shop = Shop.from_settings({"name": "Кофейня «Утро»", "address": "ул. Ленина, 1"})
    slip = build_slip(entry, shop)
    text, width, height = _text(save_pdf(slip, tmp_path / "slip.pdf", 58))
    assert abs(width - 58) < 0.5 and 20 < height < 120
    for words in ("Кофейня «Утро»", "ул. Ленина, 1", "Points card ••••1290",
                  "Purchase of 100.00, paying 20 points from the card", "To pay 80.00",
                  "Points earned 4", "Points spent 20", "Balance 404 points",
                  f"Journal #{entry.id}"):
        assert words in text, (words, text)
    assert LUNA["cashback"] not in text and "931222" not in text  # the code is masked
    text80, width80, _ = _text(save_pdf(slip, tmp_path / "slip80.pdf", 80))
    assert abs(width80 - 80) < 0.5 and "To pay 80.00" in text80


def test_slip_of_every_state_says_it(counter: Counter) -> None:
    result = counter.apply(LOONA["chop"], Operation.parse("stamp", ["1"]))
    entry = counter.journal.get(result.journal_id)  # type: ignore[arg-type]
    assert entry is not None
    lines = build_slip(entry, Shop()).lines()
    assert "Stamps given: 1" in lines and "Stamps: 4 / 10" in lines
    assert lines[0] == "Loyalty card" and "Chop card ••••" + LOONA["chop"][-4:] in lines
    counter.journal.finish(entry.id, State.UNKNOWN, error="lost")
    failed = counter.journal.get(entry.id)
    assert failed is not None
    assert "NOT CONFIRMED: being checked" in build_slip(failed, Shop()).lines()


def test_slip_command(counter: Counter, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                      qapp: object) -> None:
    result = counter.apply(LOONA["gift"], Operation.parse("spend", ["150"]))
    jid = str(result.journal_id)
    pdf = tmp_path / "copy.pdf"
    assert main(["slip", jid, "--pdf", str(pdf)]) == 0
    assert "saved" in capsys.readouterr().out
    text, width, _ = _text(pdf)
    assert "Balance spent 150.00" in text and "Balance 850.00" in text and "Copy" in text
    assert abs(width - 58) < 0.5
    assert main(["slip", jid, "--text"]) == 0
    assert "Gift certificate ••••" + LOONA["gift"][-4:] in capsys.readouterr().out
    assert main(["slip", "9999", "--text"]) == 2
    assert "no journal entry #9999" in capsys.readouterr().err


def test_a_printer_gets_a_page_as_wide_as_its_roll(counter: Counter, qapp: object,
                                                   tmp_path: Path) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from pos_app.qt.slip_print import print_slip

    result = counter.apply(LUNA["stamps"], Operation.parse("stamp", ["1"]))
    entry = counter.journal.get(result.journal_id)  # type: ignore[arg-type]
    assert entry is not None
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # Qt's own printer, to a file
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    print_slip(build_slip(entry, Shop("Shop")), printer, 80)
    text, width, _ = _text(tmp_path / "printed.pdf")
    assert abs(width - 80) < 0.5
    assert "Stamps given 1" in text and "Stamps 6 / 10" in text and "Shop" in text


def test_a_gift_certificate_top_up_slip_says_money_not_points(counter: Counter,
                                                               tmp_path: Path) -> None:
    """Issue: the slip of a top-up of a gift certificate said "Add 150 points"."""
    from pos_app.core.export import read_csv, write_csv

    result = counter.apply(LUNA["certificate"], Operation.parse("accrue", ["150"]))
    entry = counter.journal.get(result.journal_id)  # type: ignore[arg-type]
    assert entry is not None
    assert build_slip(entry, Shop()).what == "Add 150.00 to the balance"
    write_csv([entry], tmp_path / "j.csv")
    assert read_csv(tmp_path / "j.csv")[0]["what"] == "Top up the balance 150"


def test_a_top_up_slip_in_russian(counter: Counter, russian: None) -> None:
    result = counter.apply(LUNA["certificate"], Operation.parse("accrue", ["150"]))
    entry = counter.journal.get(result.journal_id)  # type: ignore[arg-type]
    assert entry is not None
    assert build_slip(entry, Shop()).what == "Пополнить баланс на 150,00\u00a0₽"


def test_a_hold_waiting_for_the_cashier_slip_says_on_hold_not_queued(counter: Counter) -> None:
    """A hold's points are held on the card: its slip must not say it was never sent."""
    from pos_app.core.services.cpextender.seed import DEMO as CPX

    result = counter.apply(CPX["plenty"], Operation.parse("hold", ["20"]))
    entry = counter.journal.get(result.journal_id)  # type: ignore[arg-type]
    assert entry is not None and entry.state is State.PENDING
    lines = build_slip(entry, Shop()).lines()
    assert "ON HOLD: not confirmed yet" in lines and "On hold: 20" in lines
    assert not any("QUEUED" in line for line in lines)


def test_a_waiting_hold_slip_in_russian(counter: Counter, russian: None) -> None:
    from pos_app.core.services.cpextender.seed import DEMO as CPX

    result = counter.apply(CPX["plenty"], Operation.parse("hold", ["20"]))
    entry = counter.journal.get(result.journal_id)  # type: ignore[arg-type]
    assert entry is not None
    lines = build_slip(entry, Shop()).lines()
    assert "В РЕЗЕРВЕ: ещё не подтверждено" in lines and "В резерве: 20" in lines
