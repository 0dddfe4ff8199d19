"""QR decoding for camera frames and image files (Qt-free, no numpy or OpenCV needed).

The decoder is zxing-cpp, picked by measurement (see ``benchmarks/decode.py``). On top of one
plain library call the app adds a rescue pass that runs *only* when zxing-cpp saw a code-like
symbol and could not read it, so a frame without any code costs one library call and nothing
more:

1. First pass: zxing-cpp on the gray image, read in place (a camera frame's luma plane, see
   :class:`~pos_app.core.scanning.gray.GrayImage`), QR only, ``TextMode.Plain`` (ECI-aware,
   guesses Shift_JIS/UTF-8/ISO-8859-1 when no ECI is given, keeps control characters as they
   are) and ``return_errors=True`` so that unreadable symbols come back with their position.
2. Rescue pass (only if pass 1 returned such an unreadable symbol, outside any code it read):
   zxing-cpp again with the global-histogram binarizer; then the unread region cropped and
   upscaled 2-3x (small, soft codes); then the global-histogram binarizer on a 3x3-blurred
   copy. Stops at the first read; a few ms at most, and only while a code is in view.
3. Still images only (:meth:`Decoder.decode`, :func:`decode_file`): if nothing was read, the
   whole-image variants above plus local-average on the blurred copy and a 2x upscale of small
   images. Never used by :meth:`Decoder.decode_frame`.

Crops, upscales and blurs are Pillow's (bicubic; the 3x3 kernel 1-2-1), image files are read
with Pillow. Only symbols that zxing-cpp validated (Reed-Solomon checked) are returned.
zxingcpp and PIL are imported lazily, on first use, never when this module is imported.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.core.scanning.gray import (
    GrayImage,
    ScannerUnavailable,
    as_gray,
    load_image,
    to_pil,
)

__all__ = [
    "Decoded",
    "Decoder",
    "DecoderStats",
    "GrayImage",
    "ScannerUnavailable",
    "decode_file",
    "default_decoder",
    "load_image",
]

Point = tuple[int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1


@dataclass(frozen=True, slots=True)
class Decoded:
    """One code read from an image.

    ``text`` is the payload as text; ``points`` the four corners (top-left, top-right,
    bottom-right, bottom-left) in image pixels; ``format`` e.g. ``"QRCode"``; ``data`` the raw
    payload bytes as stored in the symbol (before any character-set decoding).
    """

    text: str
    points: tuple[Point, Point, Point, Point]
    format: str
    data: bytes = b""


@dataclass(slots=True)
class DecoderStats:
    """Counters for diagnostics and the benchmark (not thread-exact, good enough)."""

    calls: int = 0
    rescue_runs: int = 0
    rescued: int = 0
    still_extra_runs: int = 0
    still_extra_read: int = 0


def _zxing() -> Any:
    try:
        import zxingcpp
    except ImportError as exc:  # pragma: no cover - depends on the install
        from pos_app.core.i18n import _

        msg = _("QR decoding needs zxing-cpp: pip install 'pos-app[scan]'")
        raise ScannerUnavailable(msg) from exc
    return zxingcpp


@dataclass(slots=True)
class _Lib:
    """The resolved library objects and keyword arguments, built once per Decoder."""

    zx: Any
    kwargs: dict[str, Any]
    local_average: Any
    global_histogram: Any


_BLUR_3X3 = (1, 2, 1, 2, 4, 2, 1, 2, 1)


class Decoder:
    """Reads QR codes from gray images (:class:`GrayImage`: a camera frame's luma plane),
    Pillow images, or numpy ``uint8`` arrays (gray, BGR, BGRA).

    Use :meth:`decode_frame` for camera frames (cheap: one library call per frame without a
    code) and :meth:`decode` for still images (tries harder when nothing was read).
    Instances are safe to share between threads.
    """

    def __init__(
        self,
        *,
        formats: tuple[str, ...] = ("QRCode",),
        try_invert: bool = True,
        rescue: bool = True,
    ) -> None:
        """``formats``: zxing-cpp format names; ``try_invert``: also read light-on-dark codes
        (about a third of the cost of a frame without a code); ``rescue``: run the rescue pass.
        """
        self.formats = formats
        self.try_invert = try_invert
        self.rescue = rescue
        self.stats = DecoderStats()
        self._lib: _Lib | None = None
        self._lock = threading.Lock()

    # -- set-up ---------------------------------------------------------------------------

    def _setup(self) -> _Lib:
        lib = self._lib
        if lib is not None:
            return lib
        with self._lock:
            if self._lib is not None:
                return self._lib
            zx = _zxing()
            fmts = [getattr(zx.BarcodeFormat, name) for name in self.formats]
            # zxing-cpp 3 deprecates ``a | b``; a single format or BarcodeFormats([...]) is fine.
            formats: Any = fmts[0] if len(fmts) == 1 else zx.BarcodeFormats(fmts)
            kwargs: dict[str, Any] = {
                "formats": formats,
                "text_mode": zx.TextMode.Plain,
                "return_errors": True,
                "try_invert": self.try_invert,
            }
            probe = GrayImage(bytes(64), 8, 8).view(zx)
            try:
                zx.read_barcodes(probe, **kwargs)
            except TypeError:  # zxing-cpp < 3 has no try_invert (it always inverts)
                kwargs.pop("try_invert")
                zx.read_barcodes(probe, **kwargs)
            self._lib = _Lib(
                zx=zx,
                kwargs=kwargs,
                local_average=zx.Binarizer.LocalAverage,
                global_histogram=zx.Binarizer.GlobalHistogram,
            )
            return self._lib

    # -- public ---------------------------------------------------------------------------

    def decode_frame(self, image: Any) -> list[Decoded]:
        """Read codes from one camera frame: pass 1, plus the rescue pass only when pass 1
        saw a symbol it could not read. A frame without a code costs one library call."""
        return self._decode(image, still=False)

    def decode(self, image: Any) -> list[Decoded]:
        """Read codes from a still image: like :meth:`decode_frame`, then, if nothing was
        read, a few extra image variants (a few ms more on a photo without a code)."""
        return self._decode(image, still=True)

    # -- internals ------------------------------------------------------------------------

    def _decode(self, image: Any, *, still: bool) -> list[Decoded]:
        lib = self._setup()
        gray = as_gray(image)
        self.stats.calls += 1
        found: list[Decoded] = []
        unread: list[Box] = []
        for b in lib.zx.read_barcodes(gray.view(lib.zx), binarizer=lib.local_average,
                                      **lib.kwargs):
            if _ok(b):
                _add(found, _to_decoded(b))
            else:
                unread.append(_box(_corners(b)))
        if not self.rescue:
            return found
        # Symbols that failed inside a code that was read are not worth a rescue.
        unread = [u for u in unread if not any(_inside(_centre(u), _box(d.points)) for d in found)]
        pil = _Variants(gray, lib)
        if unread:
            self.stats.rescue_runs += 1
            before = len(found)
            self._rescue(pil, found, unread)
            self.stats.rescued += len(found) > before
        if still and not found:
            self.stats.still_extra_runs += 1
            self._still_extras(pil, found)
            self.stats.still_extra_read += bool(found)
        return found

    def _rescue(self, v: _Variants, found: list[Decoded], unread: list[Box]) -> None:
        """Pass 2, for symbols pass 1 located but could not read. In order, stopping at the
        first read: global-histogram binarizer on the whole image; each unread region (at most
        two) cropped and upscaled 2-3x (small or blurred codes); the global-histogram binarizer
        on a 3x3-blurred image (print texture, moire)."""
        lib = v.lib
        if v.read("gh", found):
            return
        w, h = v.gray.width, v.gray.height
        regions: list[Box] = []
        for box in sorted(unread, key=_area, reverse=True):
            if len(regions) < 2 and not any(_inside(_centre(box), r) for r in regions):
                regions.append(box)
        for x0, y0, x1, y1 in regions:
            mx = (x1 - x0) // 4 + 4
            my = (y1 - y0) // 4 + 4
            x0, y0 = max(0, x0 - mx), max(0, y0 - my)
            x1, y1 = min(w, x1 + mx), min(h, y1 + my)
            side = max(x1 - x0, y1 - y0)
            if side < 16 or side > 640:
                continue
            k = 3 if side < 200 else 2
            crop = to_pil(v.gray.crop(x0, y0, x1, y1))
            crop = crop.resize((crop.width * k, crop.height * k), v.image.Resampling.BICUBIC)
            for binarizer in (lib.local_average, lib.global_histogram):
                if _read(crop, lib, binarizer, found, scale=k, offset=(x0, y0)):
                    return
        v.read("blur-gh", found)

    def _still_extras(self, v: _Variants, found: list[Decoded]) -> None:
        """Still images where nothing was read: the whole-image variants of the rescue pass
        not tried yet, then the local-average binarizer on a blurred copy and on a 2x upscale
        of small images."""
        if v.read("gh", found) or v.read("blur-gh", found) or v.read("blur-la", found):
            return
        if max(v.gray.width, v.gray.height) <= 1024:
            up = v.pil.resize((v.gray.width * 2, v.gray.height * 2),
                              v.image.Resampling.BICUBIC)
            _read(up, v.lib, v.lib.local_average, found, scale=2)


class _Variants:
    """The rescue pass's whole-image attempts, each run at most once per image; the Pillow
    copies are made on first use."""

    def __init__(self, gray: GrayImage, lib: _Lib) -> None:
        self.gray = gray
        self.lib = lib
        self._tried: set[str] = set()
        self._pil: Any = None
        self._blurred: Any = None

    @property
    def image(self) -> Any:
        from PIL import Image

        return Image

    @property
    def pil(self) -> Any:
        if self._pil is None:
            self._pil = to_pil(self.gray)
        return self._pil

    @property
    def blurred(self) -> Any:
        if self._blurred is None:
            from PIL import ImageFilter

            self._blurred = self.pil.filter(ImageFilter.Kernel((3, 3), _BLUR_3X3, 16))
        return self._blurred

    def read(self, name: str, found: list[Decoded]) -> bool:
        """Run attempt ``name`` (``gh``, ``blur-gh``, ``blur-la``) unless it ran already."""
        if name in self._tried:
            return False
        self._tried.add(name)
        lib = self.lib
        if name == "gh":
            return _read(self.gray.view(lib.zx), lib, lib.global_histogram, found)
        binarizer = lib.global_histogram if name == "blur-gh" else lib.local_average
        return _read(self.blurred, lib, binarizer, found)


def _read(data: Any, lib: _Lib, binarizer: Any, found: list[Decoded], *,
          scale: float = 1, offset: Point = (0, 0)) -> bool:
    """One zxing-cpp call; add its trusted reads (in original image coordinates)."""
    added = False
    for b in lib.zx.read_barcodes(data, binarizer=binarizer, **lib.kwargs):
        if _ok(b):
            added |= _add(found, _to_decoded(b, scale, offset))
    return added


# -- helpers ------------------------------------------------------------------------------


def _ok(b: Any) -> bool:
    """A read we trust: validated by zxing-cpp (checksums passed) and not empty."""
    return bool(b.valid) and b.error is None and (bool(b.text) or bool(b.bytes))


def _corners(b: Any) -> tuple[Point, Point, Point, Point]:
    p = b.position
    return (
        (p.top_left.x, p.top_left.y),
        (p.top_right.x, p.top_right.y),
        (p.bottom_right.x, p.bottom_right.y),
        (p.bottom_left.x, p.bottom_left.y),
    )


def _to_decoded(b: Any, scale: float = 1, offset: Point = (0, 0)) -> Decoded:
    ox, oy = offset
    p = [(round(x / scale) + ox, round(y / scale) + oy) for x, y in _corners(b)]
    fmt = b.format
    name = getattr(fmt, "name", None) or str(fmt).replace(" ", "")
    return Decoded(text=b.text, points=(p[0], p[1], p[2], p[3]), format=name,
                   data=bytes(b.bytes))


def _box(points: tuple[Point, ...]) -> Box:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _centre(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def _inside(pt: tuple[float, float], box: Box) -> bool:
    return box[0] <= pt[0] <= box[2] and box[1] <= pt[1] <= box[3]


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _add(found: list[Decoded], new: Decoded) -> bool:
    """Append ``new`` unless it is the same code (same text, same place) as one found."""
    c = _centre(_box(new.points))
    if any(old.text == new.text and _inside(c, _box(old.points)) for old in found):
        return False
    found.append(new)
    return True


_default: Decoder | None = None
_default_lock = threading.Lock()


def default_decoder() -> Decoder:
    """The app's shared decoder (created on first call; cheap until first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Decoder()
        return _default


def decode_file(path: str | Path, decoder: Decoder | None = None) -> list[Decoded]:
    """Read the codes in an image file with the still-image path. See :func:`load_image`
    for the errors raised when the file cannot be opened."""
    return (decoder or default_decoder()).decode(load_image(path))

