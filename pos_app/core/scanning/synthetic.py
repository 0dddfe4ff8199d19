"""Synthetic camera video: frames with a QR code coming into view and leaving (Qt-free).

For the camera loops' tests, the camera benchmark and trying the camera page without a camera:
:func:`write_qr_video` writes an MJPG/AVI file (read by Qt's FFmpeg and by OpenCV alike) in
which each segment shows one code (or none) for a number of frames, on a noisy background,
the code drifting a few pixels per frame. Needs Pillow and segno only.
"""

from __future__ import annotations

import io
import math
import random
import struct
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pos_app.core.scanning.gray import GrayImage
from pos_app.core.scanning.gray import _pil as _pil_image

__all__ = ["qr_frame", "write_qr_video"]


@lru_cache(maxsize=16)
def _qr_image(text: str, module: int) -> Any:
    import segno

    qr = segno.make(text, error="m", micro=False)
    size = qr.symbol_size(scale=1, border=4)[0]
    im = _pil_image().new("L", (size, size), 235)
    im.putdata([20 if dark else 235 for row in qr.matrix_iter(scale=1, border=4)
                for dark in row])
    return im.resize((size * module, size * module), _pil_image().Resampling.NEAREST)


@lru_cache(maxsize=4)
def _background(w: int, h: int) -> Any:
    """60..160 left to right plus 0..40 top to bottom, as the camera tests have always used."""
    image = _pil_image()
    row = bytes(int(60 + 100 * x / max(1, w - 1)) for x in range(w))
    horizontal = image.frombytes("L", (w, 1), row).resize((w, h))
    col = bytes(int(40 * y / max(1, h - 1)) for y in range(h))
    vertical = image.frombytes("L", (1, h), col).resize((w, h))
    from PIL import ImageChops

    return ImageChops.add(horizontal, vertical)


def _frame_image(text: str | None, index: int, size: tuple[int, int], seed: int) -> Any:
    from PIL import ImageChops

    w, h = size
    frame = _background(w, h).copy()
    if text is not None:
        module = max(3, min(w, h) // 80)
        qr = _qr_image(text, module)
        ox = (w - qr.width) // 2 + int(12 * math.sin(index / 9))
        oy = (h - qr.height) // 2 + int(8 * math.cos(index / 11))
        frame.paste(qr, (max(0, min(w - qr.width, ox)), max(0, min(h - qr.height, oy))))
    rng = random.Random(seed * 100_003 + index)
    noise = _pil_image().frombytes("L", size, rng.randbytes(w * h)).point(lambda v: v * 20 // 255)
    return ImageChops.add(frame, noise, offset=-10)


def qr_frame(text: str | None, index: int, size: tuple[int, int] = (640, 480), *,
             seed: int = 0) -> GrayImage:
    """One gray frame (``size`` is width, height): background, noise, and ``text`` as a QR
    code drifting a few pixels per frame (``None``: no code)."""
    im = _frame_image(text, index, size, seed)
    return GrayImage(im.tobytes(), im.width, im.height)


def write_qr_video(path: str | Path, segments: Sequence[tuple[str | None, int]], *,
                   size: tuple[int, int] = (640, 480), fps: float = 30.0,
                   seed: int = 0, quality: int = 90) -> Path:
    """Write ``segments`` (``(text or None, frame count)``, in order) as an MJPG/AVI file;
    returns the path."""
    frames: list[bytes] = []
    index = 0
    for text, count in segments:
        for _ in range(count):
            buf = io.BytesIO()
            _frame_image(text, index, size, seed).convert("RGB").save(buf, "JPEG",
                                                                      quality=quality)
            frames.append(buf.getvalue())
            index += 1
    path = Path(path)
    path.write_bytes(_avi(frames, size, fps))
    return path


def _chunk(fourcc: bytes, data: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def _avi(frames: list[bytes], size: tuple[int, int], fps: float) -> bytes:
    """A minimal AVI (RIFF) file: one MJPG video stream, an idx1 index."""
    w, h = size
    n = len(frames)
    biggest = max((len(f) for f in frames), default=0)
    avih = struct.pack("<14I", round(1_000_000 / fps), int(biggest * fps), 0, 0x10, n, 0, 1,
                       biggest, w, h, 0, 0, 0, 0)
    strh = struct.pack("<4s4sIHHIIIIIIIIhhhh", b"vids", b"MJPG", 0, 0, 0, 0, 1000,
                       round(fps * 1000), 0, n, biggest, 0xFFFFFFFF, 0, 0, 0, w, h)
    strf = struct.pack("<IiiHH4sIiiII", 40, w, h, 1, 24, b"MJPG", w * h * 3, 0, 0, 0, 0)
    strl = _chunk(b"LIST", b"strl" + _chunk(b"strh", strh) + _chunk(b"strf", strf))
    hdrl = _chunk(b"LIST", b"hdrl" + _chunk(b"avih", avih) + strl)
    movi_parts, index, offset = [], [], 4
    for data in frames:
        chunk = _chunk(b"00dc", data)
        index.append(struct.pack("<4sIII", b"00dc", 0x10, offset, len(data)))
        movi_parts.append(chunk)
        offset += len(chunk)
    movi = _chunk(b"LIST", b"movi" + b"".join(movi_parts))
    idx1 = _chunk(b"idx1", b"".join(index))
    return _chunk(b"RIFF", b"AVI " + hdrl + movi + idx1)
