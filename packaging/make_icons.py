"""Draw the app icon with Qt and write it as PNG, Windows ``.ico`` and macOS ``.icns``.

The drawing below is the icon's only source: a loyalty card with stamps on a teal tile, drawn
as vectors at every size (so small sizes stay crisp). ``resources/icon.png`` (the window's
icon, committed) is its 512 px output; the build writes the ``.ico`` and ``.icns`` next to its
other intermediate files.

    python packaging/make_icons.py OUTDIR            # OUTDIR/pos-app.ico, OUTDIR/pos-app.icns
    python packaging/make_icons.py --png resources/icon.png
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPen,
)

TILE_TOP, TILE_BOTTOM = QColor("#14877f"), QColor("#0c4a55")
CARD, CARD_LINE = QColor("#ffffff"), QColor("#c9d6d8")
STAMP, STAMP_EMPTY = QColor("#f2a516"), QColor("#b7c5c8")


def render(size: int, margin: float = 0.0) -> QImage:
    """The icon at ``size`` px; ``margin`` is the empty border as a fraction of the size
    (macOS icons leave about 10 % around the tile, Windows ones fill the square)."""
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    m = size * margin
    t = size - 2 * m  # tile side
    tile = QRectF(m, m, t, t)
    grad = QLinearGradient(tile.topLeft(), tile.bottomRight())
    grad.setColorAt(0, TILE_TOP)
    grad.setColorAt(1, TILE_BOTTOM)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRoundedRect(tile, t * 0.22, t * 0.22)

    # The card: white, landscape, a soft shadow under it.
    cw, ch = t * 0.70, t * 0.46
    card = QRectF(m + (t - cw) / 2, m + (t - ch) / 2 + t * 0.02, cw, ch)
    r = t * 0.07
    p.setBrush(QColor(0, 0, 0, 60))
    p.drawRoundedRect(card.translated(0, t * 0.03), r, r)
    p.setBrush(CARD)
    p.drawRoundedRect(card, r, r)

    # Holder line (left out below 32 px, where it would only be a smudge).
    if size >= 32:
        p.setBrush(CARD_LINE)
        line = QRectF(card.left() + cw * 0.12, card.top() + ch * 0.2, cw * 0.42, ch * 0.12)
        p.drawRoundedRect(line, line.height() / 2, line.height() / 2)

    # Stamps: three earned, one to go (two rows of dots would blur at small sizes).
    n = 4
    gap = cw * 0.76 / n
    radius = min(gap * 0.36, ch * 0.17)
    cy = card.top() + ch * 0.64
    for i in range(n):
        centre = QPointF(card.left() + cw * 0.12 + gap * (i + 0.5), cy)
        if i < 3:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(STAMP)
            p.drawEllipse(centre, radius, radius)
        else:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(STAMP_EMPTY, max(1.0, radius * 0.3)))
            p.drawEllipse(centre, radius * 0.85, radius * 0.85)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise SystemExit("Qt could not encode a PNG.")
    return bytes(data.data())


def _dib(img: QImage) -> bytes:
    """A 32-bit BMP icon image (header, bottom-up BGRA rows, AND mask): what every Windows
    tool reads, unlike PNG entries, which some only accept at 256 px."""
    img = img.convertToFormat(QImage.Format.Format_ARGB32)
    w, h = img.width(), img.height()
    header = struct.pack("<IiiHHIIiiII", 40, w, h * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = [bytes(img.constScanLine(y))[: w * 4] for y in range(h - 1, -1, -1)]
    mask_row = b"\0" * (((w + 31) // 32) * 4)  # alpha decides; the mask shows everything
    return header + b"".join(rows) + mask_row * h


def write_ico(path: Path, sizes: tuple[int, ...] = (16, 20, 24, 32, 40, 48, 64, 128, 256)) -> None:
    images = [png_bytes(render(s)) if s >= 256 else _dib(render(s)) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    for s, data in zip(sizes, images, strict=True):
        out += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    path.write_bytes(out + b"".join(images))


#: ICNS entry types holding PNG data, by pixel size (retina variants share the pixels).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("ic11", 32), ("icp6", 64), ("ic12", 64),
              ("ic07", 128), ("ic08", 256), ("ic13", 256), ("ic09", 512), ("ic14", 512),
              ("ic10", 1024))


def write_icns(path: Path) -> None:
    cache: dict[int, bytes] = {}
    body = b""
    for kind, s in ICNS_TYPES:
        data = cache.setdefault(s, png_bytes(render(s, margin=0.1)))
        body += kind.encode("ascii") + struct.pack(">I", 8 + len(data)) + data
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", nargs="?", type=Path, help="write pos-app.ico and .icns here")
    parser.add_argument("--png", type=Path, help="write the 512 px PNG to this file")
    args = parser.parse_args(argv)
    if args.outdir is None and args.png is None:
        parser.error("give OUTDIR, --png FILE or both")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keep alive)
    if args.png:
        args.png.parent.mkdir(parents=True, exist_ok=True)
        args.png.write_bytes(png_bytes(render(512, margin=0.04)))
    if args.outdir:
        args.outdir.mkdir(parents=True, exist_ok=True)
        write_ico(args.outdir / "pos-app.ico")
        write_icns(args.outdir / "pos-app.icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
