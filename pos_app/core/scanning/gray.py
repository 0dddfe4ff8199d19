"""8-bit gray images for the decoder, without numpy or OpenCV (Qt-free).

:class:`GrayImage` is a view of luma bytes: a camera frame's Y plane as QtMultimedia maps it
(NV12, YUV420P... stride = bytes per line; YUYV/UYVY: every second byte, ``step=2``), or an
image file read with Pillow (:func:`load_image`). zxing-cpp reads it in place
(:meth:`GrayImage.view`); the decoder's rescue pass makes Pillow copies (:func:`to_pil`) only
when a code was seen and not read.

:func:`as_gray` also takes a Pillow image or a numpy array (gray, BGR, BGRA: what the optional
OpenCV camera backend gives); numpy is touched only when such an array is passed, and OpenCV's
faster colour conversion is used only when the caller has loaded it already.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GrayImage", "ScannerUnavailable", "as_gray", "load_image", "to_pil"]


class ScannerUnavailable(RuntimeError):
    """The optional scanning dependencies (``pip install pos-app[scan]``) are missing."""


@dataclass(frozen=True, slots=True)
class GrayImage:
    """``height`` rows of ``width`` luma bytes in ``data``: row ``y`` starts at ``y * stride``,
    pixels are ``step`` bytes apart. ``data`` must stay valid while the image is used (a mapped
    video frame: until it is unmapped)."""

    data: Any  # bytes, bytearray or memoryview
    width: int
    height: int
    stride: int = 0
    step: int = 1

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"empty image: {self.width}x{self.height}")
        if not self.stride:
            object.__setattr__(self, "stride", self.width * self.step)
        need = (self.height - 1) * self.stride + (self.width - 1) * self.step + 1
        if memoryview(self.data).nbytes < need:
            raise ValueError(f"{memoryview(self.data).nbytes} bytes cannot hold a "
                             f"{self.width}x{self.height} image with stride {self.stride}")

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``, as a numpy array would say it."""
        return (self.height, self.width)

    def view(self, zx: Any) -> Any:
        """A ``zxingcpp.ImageView`` over the bytes (no copy). zxing-cpp wants ``height``
        whole rows of ``stride`` bytes; a view that starts inside a pixel (UYVY's luma) has
        less, and is read without its last row."""
        mv = memoryview(self.data).cast("B")
        rows = min(self.height, mv.nbytes // self.stride)
        return zx.ImageView(mv, self.width, rows, zx.ImageFormat.Lum, self.stride, self.step)

    def crop(self, x0: int, y0: int, x1: int, y1: int) -> GrayImage:
        """The pixels of ``[x0, x1) x [y0, y1)``, packed (a copy of those rows only)."""
        mv = memoryview(self.data).cast("B")
        s, st = self.stride, self.step
        rows = [mv[y * s + x0 * st: y * s + (x1 - 1) * st + 1: st] for y in range(y0, y1)]
        return GrayImage(b"".join(rows if st == 1 else map(bytes, rows)), x1 - x0, y1 - y0)

    def tobytes(self) -> bytes:
        """The pixels packed, ``width * height`` bytes."""
        mv = memoryview(self.data).cast("B")
        w, s, st = self.width, self.stride, self.step
        if st == 1 and s == w:
            return bytes(mv[: w * self.height])
        return b"".join(bytes(mv[y * s: y * s + (w - 1) * st + 1: st])
                        for y in range(self.height))


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - depends on the install
        from pos_app.core.i18n import _

        raise ScannerUnavailable(_("Image files and the decoder's rescue pass need Pillow: "
                                   "pip install 'pos-app[scan]'")) from exc
    return Image


def to_pil(img: GrayImage) -> Any:
    """A Pillow ``L`` image with the same pixels (a copy)."""
    image = _pil()
    if img.step == 1:
        mv = memoryview(img.data).cast("B")
        size = (img.height - 1) * img.stride + img.width
        return image.frombytes("L", (img.width, img.height), bytes(mv[:size]), "raw", "L",
                               img.stride, 1)
    return image.frombytes("L", (img.width, img.height), img.tobytes())


def from_pil(im: Any) -> GrayImage:
    """A Pillow image of any mode -> gray (transparency on white, 16-bit scaled to 8)."""
    image = _pil()
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        lo, hi = im.getextrema() if im.mode in ("I", "F") else (0, 65535)
        span = (hi - lo) or 1
        im = im.convert("I" if im.mode != "F" else "F").point(
            lambda v: (v - lo) * 255 / span).convert("L")
    elif (im.mode == "P" and "transparency" in im.info) or im.mode in ("RGBA", "LA", "PA",
                                                                        "La", "RGBa"):
        rgba = im.convert("RGBA")
        white = image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = image.alpha_composite(white, rgba).convert("L")
    elif im.mode != "L":
        im = im.convert("L")
    return GrayImage(im.tobytes(), im.width, im.height)


def as_gray(image: Any) -> GrayImage:
    """A :class:`GrayImage`, a Pillow image or a numpy ``uint8`` array (gray, BGR, BGRA) ->
    :class:`GrayImage`. Raises ``TypeError`` / ``ValueError`` for anything else."""
    if isinstance(image, GrayImage):
        return image
    if type(image).__module__.startswith("PIL."):
        return from_pil(image)
    if hasattr(image, "__array_interface__") and hasattr(image, "dtype"):
        return _from_array(image)
    raise TypeError(f"expected a gray image, a Pillow image or a uint8 array, got "
                    f"{type(image).__name__}")


def _from_array(arr: Any) -> GrayImage:
    import numpy as np

    arr = np.asarray(arr)
    if arr.dtype != np.uint8:
        raise TypeError(f"expected a uint8 image, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        arr = _bgr_to_gray(np.ascontiguousarray(arr))
    elif arr.ndim != 2:
        raise ValueError(f"expected a gray, BGR or BGRA image, got shape {arr.shape}")
    arr = np.ascontiguousarray(arr)
    h, w = arr.shape
    return GrayImage(memoryview(arr).cast("B"), w, h, w)


def _bgr_to_gray(arr: Any) -> Any:
    """OpenCV when the process has it loaded (the OpenCV camera backend), else Pillow."""
    cv2 = sys.modules.get("cv2")
    if cv2 is not None:
        code = cv2.COLOR_BGR2GRAY if arr.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return cv2.cvtColor(arr, code)
    import numpy as np

    h, w, c = arr.shape
    raw = "BGR" if c == 3 else "BGRX"
    im = _pil().frombuffer("RGB", (w, h), arr.tobytes(), "raw", raw, 0, 1).convert("L")
    return np.frombuffer(im.tobytes(), np.uint8).reshape(h, w)


def load_image(path: str | Path) -> GrayImage:
    """Read an image file (PNG, JPEG, WebP, GIF, BMP, TIFF...; the first frame of an
    animation) as gray. Transparent pixels are put on white; 16-bit images are scaled to
    8 bits. Raises ``OSError`` when the file cannot be read and ``ValueError`` when it is not
    an image Pillow can decode."""
    image = _pil()
    raw = Path(path).read_bytes()
    if not raw:
        raise ValueError(f"not a readable image: {path}")
    import io

    try:
        with image.open(io.BytesIO(raw)) as im:
            im.load()
            return from_pil(im)
    except (image.UnidentifiedImageError, image.DecompressionBombError, SyntaxError,
            ValueError, OSError, EOFError) as exc:
        raise ValueError(f"not a readable image: {path}") from exc
