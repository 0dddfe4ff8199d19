"""QR decoding for camera frames and image files (Qt-free).

The decoder is zxing-cpp, picked by measurement (see ``benchmarks/decode.py``). On top of one
plain library call the app adds a rescue pass that runs *only* when zxing-cpp saw a code-like
symbol and could not read it, so a frame without any code costs one library call and nothing
more:

1. First pass: zxing-cpp on the grayscale frame, QR only, ``TextMode.Plain`` (ECI-aware,
   guesses Shift_JIS/UTF-8/ISO-8859-1 when no ECI is given, keeps control characters as they
   are) and ``return_errors=True`` so that unreadable symbols come back with their position.
2. Rescue pass (only if pass 1 returned such an unreadable symbol, outside any code it read):
   zxing-cpp again with the global-histogram binarizer; then the unread region cropped and
   upscaled 2-3x (small, soft codes); then the global-histogram binarizer on a 3x3-blurred
   copy. Stops at the first read; a few ms at most, and only while a code is in view.
3. Still images only (:meth:`Decoder.decode`, :func:`decode_file`): if nothing was read, the
   whole-image variants above plus local-average on the blurred copy and a 2x upscale of small
   images. Never used by :meth:`Decoder.decode_frame`.

Only symbols that zxing-cpp validated (Reed-Solomon checked) are returned. Heavy modules
(numpy, cv2, zxingcpp) are imported lazily, on first use, never when this module is imported.
OpenCV is optional for frames (faster gray conversion) and needed for files and step 3.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Decoded",
    "Decoder",
    "DecoderStats",
    "ScannerUnavailable",
    "decode_file",
    "default_decoder",
    "load_image",
]

Point = tuple[int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1


class ScannerUnavailable(RuntimeError):
    """The optional scanning dependencies (``pip install pos-app[scan]``) are missing."""


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
        msg = "QR decoding needs zxing-cpp: pip install 'pos-app[scan]'"
        raise ScannerUnavailable(msg) from exc
    return zxingcpp


def _cv2() -> Any | None:
    try:
        import cv2
    except ImportError:  # pragma: no cover - depends on the install
        return None
    return cv2


@dataclass(slots=True)
class _Lib:
    """The resolved library objects and keyword arguments, built once per Decoder."""

    zx: Any
    cv2: Any | None
    kwargs: dict[str, Any]
    local_average: Any
    global_histogram: Any


class Decoder:
    """Reads QR codes from BGR/BGRA/grayscale ``uint8`` images.

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
            import numpy as np

            probe = np.zeros((8, 8), dtype=np.uint8)
            try:
                zx.read_barcodes(probe, **kwargs)
            except TypeError:  # zxing-cpp < 3 has no try_invert (it always inverts)
                kwargs.pop("try_invert")
                zx.read_barcodes(probe, **kwargs)
            self._lib = _Lib(
                zx=zx,
                cv2=_cv2(),
                kwargs=kwargs,
                local_average=zx.Binarizer.LocalAverage,
                global_histogram=zx.Binarizer.GlobalHistogram,
            )
            return self._lib

    # -- public ---------------------------------------------------------------------------

    def decode_frame(self, image: np.ndarray) -> list[Decoded]:
        """Read codes from one camera frame: pass 1, plus the rescue pass only when pass 1
        saw a symbol it could not read. A frame without a code costs one library call."""
        return self._decode(image, still=False)

    def decode(self, image: np.ndarray) -> list[Decoded]:
        """Read codes from a still image: like :meth:`decode_frame`, then, if nothing was
        read, a few extra image variants (a few ms more on a photo without a code)."""
        return self._decode(image, still=True)

    # -- internals ------------------------------------------------------------------------

    def _decode(self, image: np.ndarray, *, still: bool) -> list[Decoded]:
        lib = self._setup()
        img = _prepare(image, lib)
        self.stats.calls += 1
        found: list[Decoded] = []
        unread: list[Box] = []
        for b in lib.zx.read_barcodes(img, binarizer=lib.local_average, **lib.kwargs):
            if _ok(b):
                _add(found, _to_decoded(b))
            else:
                unread.append(_box(_corners(b)))
        if not self.rescue:
            return found
        # Symbols that failed inside a code that was read are not worth a rescue.
        unread = [u for u in unread if not any(_inside(_centre(u), _box(d.points)) for d in found)]
        tried: set[str] = set()
        if unread:
            self.stats.rescue_runs += 1
            before = len(found)
            self._rescue(img, lib, found, unread, tried)
            self.stats.rescued += len(found) > before
        if still and not found and lib.cv2 is not None and _is_array(img):
            self.stats.still_extra_runs += 1
            self._still_extras(img, lib, found, tried)
            self.stats.still_extra_read += bool(found)
        return found

    def _rescue(self, img: Any, lib: _Lib, found: list[Decoded], unread: list[Box],
                tried: set[str]) -> None:
        """Pass 2, for symbols pass 1 located but could not read. In order, stopping at the
        first read: global-histogram binarizer on the whole image; each unread region (at most
        two) cropped and upscaled 2-3x (small or blurred codes); the global-histogram binarizer
        on a 3x3-blurred image (print texture, moire)."""
        tried.add("gh")
        if self._read(img, lib, lib.global_histogram, found):
            return
        cv2 = lib.cv2
        if cv2 is None or not _is_array(img):
            return
        h, w = img.shape[:2]
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
            crop = cv2.resize(img[y0:y1, x0:x1], None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
            for binarizer in (lib.local_average, lib.global_histogram):
                if self._read(crop, lib, binarizer, found, scale=k, offset=(x0, y0)):
                    return
        tried.add("blur-gh")
        blurred = cv2.GaussianBlur(img, (3, 3), 0)
        self._read(blurred, lib, lib.global_histogram, found)

    def _still_extras(self, img: Any, lib: _Lib, found: list[Decoded], tried: set[str]) -> None:
        """Still images where nothing was read: the whole-image variants of the rescue pass
        not tried yet, then the local-average binarizer on a blurred copy and on a 2x upscale
        of small images."""
        cv2 = lib.cv2
        if "gh" not in tried and self._read(img, lib, lib.global_histogram, found):
            return
        blurred = cv2.GaussianBlur(img, (3, 3), 0)
        if "blur-gh" not in tried and self._read(blurred, lib, lib.global_histogram, found):
            return
        if self._read(blurred, lib, lib.local_average, found):
            return
        if max(img.shape[:2]) <= 1024:
            up = cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            self._read(up, lib, lib.local_average, found, scale=2)

    def _read(self, data: Any, lib: _Lib, binarizer: Any, found: list[Decoded], *,
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


def _is_array(obj: Any) -> bool:
    return hasattr(obj, "shape") and hasattr(obj, "dtype")


def _prepare(image: Any, lib: _Lib) -> Any:
    """Return what zxing-cpp gets: a C-contiguous gray array when OpenCV is there, else the
    BGR array (or an ImageView for BGRA)."""
    import numpy as np

    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise TypeError(f"expected a uint8 image, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        return np.ascontiguousarray(arr)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"expected a gray, BGR or BGRA image, got shape {arr.shape}")
    cv2 = lib.cv2
    if cv2 is not None:
        code = cv2.COLOR_BGR2GRAY if arr.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return cv2.cvtColor(arr, code)
    arr = np.ascontiguousarray(arr)
    if arr.shape[2] == 3:
        return arr
    h, w = arr.shape[:2]
    return lib.zx.ImageView(arr, w, h, lib.zx.ImageFormat.BGRA)


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file (png/jpg/webp/bmp...) into a BGR or gray ``uint8`` array.

    Transparent pixels are put on white; 16-bit images are reduced to 8 bits. Works with
    non-ASCII paths on Windows (reads bytes, then decodes). Raises ``OSError`` when the file
    cannot be read and ``ValueError`` when it is not an image OpenCV can decode.
    """
    import numpy as np

    cv2 = _cv2()
    if cv2 is None:  # pragma: no cover - depends on the install
        raise ScannerUnavailable("reading image files needs OpenCV: pip install 'pos-app[scan]'")
    raw = Path(path).read_bytes()
    img = _imdecode(cv2, np.frombuffer(raw, dtype=np.uint8)) if raw else None
    if img is None or img.size == 0:
        raise ValueError(f"not a readable image: {path}")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        alpha = img[:, :, 3:4].astype(np.uint16)
        rgb = img[:, :, :3].astype(np.uint16)
        img = ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    elif img.ndim == 3 and img.shape[2] == 2:  # gray + alpha
        alpha = img[:, :, 1].astype(np.uint16)
        img = ((img[:, :, 0] * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return img


def _imdecode(cv2: Any, buf: np.ndarray) -> np.ndarray | None:
    """``cv2.imdecode`` without OpenCV printing its own errors on stderr for bad files."""
    try:
        from cv2.utils import logging as cvlog
    except ImportError:  # pragma: no cover - depends on the OpenCV build
        cvlog = None
    old = cvlog.getLogLevel() if cvlog is not None else None
    if cvlog is not None:
        cvlog.setLogLevel(cvlog.LOG_LEVEL_SILENT)
    try:
        return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        return None
    finally:
        if cvlog is not None:
            cvlog.setLogLevel(old)


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

