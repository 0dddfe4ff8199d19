"""Synthetic camera video: frames with a QR code coming into view and leaving (Qt-free).

For the camera loop's tests, its benchmark and the settings page's "try without a camera":
:func:`write_qr_video` writes a video file in which each segment shows one code (or none) for a
number of frames, on a noisy, slowly moving background. Needs numpy, OpenCV and segno.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["qr_frame", "write_qr_video"]


def _qr_image(text: str, module: int) -> np.ndarray:
    import numpy as np
    import segno

    matrix = np.array(segno.make(text, error="m", micro=False).matrix, dtype=np.uint8)
    matrix = np.pad(matrix, 4)  # quiet zone
    img = np.where(matrix > 0, 20, 235).astype(np.uint8)
    return np.kron(img, np.ones((module, module), dtype=np.uint8))


def qr_frame(text: str | None, index: int, size: tuple[int, int] = (640, 480), *,
             seed: int = 0) -> np.ndarray:
    """One BGR frame (``size`` is width, height): background, noise, and ``text`` as a QR
    code drifting a few pixels per frame (``None``: no code)."""
    import numpy as np

    w, h = size
    rng = np.random.default_rng(seed * 100_003 + index)
    x = np.linspace(60, 160, w, dtype=np.float32)
    y = np.linspace(0, 40, h, dtype=np.float32)
    base = x[None, :] + y[:, None]
    frame = base + rng.standard_normal((h, w), dtype=np.float32) * 6
    if text is not None:
        module = max(3, min(w, h) // 80)
        qr = _qr_image(text, module).astype(np.float32)
        qh, qw = qr.shape
        ox = (w - qw) // 2 + int(12 * np.sin(index / 9))
        oy = (h - qh) // 2 + int(8 * np.cos(index / 11))
        ox, oy = max(0, min(w - qw, ox)), max(0, min(h - qh, oy))
        frame[oy:oy + qh, ox:ox + qw] = qr + rng.standard_normal(qr.shape, dtype=np.float32) * 4
    gray = np.clip(frame, 0, 255).astype(np.uint8)
    return np.dstack([gray, gray, gray])


def write_qr_video(path: str | Path, segments: Sequence[tuple[str | None, int]], *,
                   size: tuple[int, int] = (640, 480), fps: float = 30.0,
                   fourcc: str = "MJPG", seed: int = 0) -> Path:
    """Write ``segments`` (``(text or None, frame count)``, in order) as a video file; MJPG in
    AVI needs no external codec. Returns the path."""
    import cv2

    path = Path(path)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), fps, size)
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {fourcc} video to {path}")
    index = 0
    try:
        for text, count in segments:
            for _ in range(count):
                writer.write(qr_frame(text, index, size, seed=seed))
                index += 1
    finally:
        writer.release()
    return path
