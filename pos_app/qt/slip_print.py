"""A slip laid out for a receipt printer (58 or 80 mm) through Qt's print support, or a PDF.

The page is as wide as the paper and as tall as the slip's text; printable width leaves a
margin of 4 mm each side (a 58 mm roll prints about 48 mm).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QWidget

from pos_app.core.errors import ConfigError, InvalidInput
from pos_app.core.i18n import N_, _
from pos_app.core.slip import TEXT as SLIP_TEXT
from pos_app.core.slip import Slip

MARGIN_MM = 4.0
FONT_PT = 8.0
PDF_DPI = 300
#: The printing's words (marked for the catalogue; translated where shown: :func:`words`).
TEXT = {
    "no_printer": N_("No printer is set up on this computer."),
    "no_printer_hint": N_("Add the receipt printer in the system's settings, or save the slip "
                          "as PDF."),
    "title": N_("Slip"),
    "cannot_draw": N_("The slip could not be written there."),
    "cannot_draw_hint": N_("Choose a folder you can write to, or another printer."),
}


def words(key: str) -> str:
    """One of :data:`TEXT` in the chosen language."""
    return _(TEXT[key])


def document_name(slip: Slip) -> str:
    """The name a PDF or a print job of the slip gets (``Slip, Journal #12``)."""
    return _("Slip, {footer}").format(footer=slip.footer)


def slip_html(slip: Slip) -> str:
    """The slip as simple HTML (centred header, label/value table)."""
    e = html.escape
    head = "<br>".join(f"<b>{e(h)}</b>" if i == 0 else e(h) for i, h in enumerate(slip.header))
    rows = "".join(f"<tr><td>{e(k)}</td><td align='right'>{e(v)}</td></tr>"
                   for k, v in slip.rows)
    state = f"<p><b>{e(slip.state)}</b></p>" if slip.state else ""
    copy = f"<p align='center'>— {e(_(SLIP_TEXT['reprint']))} —</p>" if slip.copy else ""
    return (f"<p align='center'>{head}</p><p>{e(slip.when)}<br>{e(slip.card)}</p>"
            f"<p><b>{e(slip.what)}</b></p>{state}"
            f"<table width='100%' cellspacing='0' cellpadding='1'>{rows}</table>"
            f"<p align='center'>{e(slip.footer)}</p>{copy}")


def _document(slip: Slip, device: QPaintDevice, width_mm: float) -> QTextDocument:
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    font = QFont()
    font.setPointSizeF(FONT_PT)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setHtml(slip_html(slip))
    doc.setTextWidth((width_mm - 2 * MARGIN_MM) / 25.4 * device.logicalDpiX())
    return doc


def _render(slip: Slip, device: QPagedPaintDevice, width_mm: float) -> None:
    """Size the page to the slip, then draw it."""
    doc = _document(slip, device, width_mm)
    height_mm = doc.size().height() / device.logicalDpiY() * 25.4 + 2 * MARGIN_MM
    device.setPageSize(QPageSize(QSizeF(width_mm, height_mm), QPageSize.Unit.Millimeter,
                                 words("title"), QPageSize.SizeMatchPolicy.ExactMatch))
    device.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                          QPageLayout.Unit.Millimeter)
    painter = QPainter()
    if not painter.begin(device):
        raise InvalidInput(words("cannot_draw"), words("cannot_draw_hint"))
    try:
        doc.drawContents(painter)
    finally:
        painter.end()


def save_pdf(slip: Slip, path: Path, width_mm: float = 58) -> Path:
    """Write the slip as a one-page PDF as wide as the paper."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(_("Cannot write {path}: {error}.").format(
            path=path, error=exc.strerror)) from None
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setTitle(document_name(slip))
    writer.setCreator("pos-app")
    _render(slip, writer, width_mm)
    return path


def slip_image(slip: Slip, width_mm: float = 58, dpi: int = 203) -> QImage:
    """The slip as a picture at a receipt printer's resolution (screenshots, previews)."""
    probe = QImage(1, 1, QImage.Format.Format_RGB32)
    dots = round(dpi / 0.0254)
    probe.setDotsPerMeterX(dots)
    probe.setDotsPerMeterY(dots)
    doc = _document(slip, probe, width_mm)
    margin = round(MARGIN_MM / 25.4 * dpi)
    image = QImage(round(width_mm / 25.4 * dpi), round(doc.size().height()) + 2 * margin,
                   QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(dots)
    image.setDotsPerMeterY(dots)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.translate(margin, margin)
    doc.drawContents(painter)
    painter.end()
    return image


def default_printer() -> QPrinter:
    """The system's default printer; :class:`ConfigError` when there is none."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        names = QPrinterInfo.availablePrinterNames()
        if not names:
            raise ConfigError(words("no_printer"), words("no_printer_hint"))
        info = QPrinterInfo.printerInfo(names[0])
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def print_slip(slip: Slip, printer: QPrinter, width_mm: float = 58) -> None:
    """Send the slip to ``printer`` (a receipt printer with its OS driver)."""
    printer.setDocName(document_name(slip))
    printer.setFullPage(False)
    _render(slip, printer, width_mm)


def ask_and_print(slip: Slip, parent: QWidget, width_mm: float = 58) -> bool:
    """The system's print dialog (printer or PDF); print when the cashier says so."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(words("title"))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    print_slip(slip, printer, width_mm)
    return True
