"""Serial (COM / USB CDC) scanners: cut the byte stream into codes by the scanner's suffix
(Qt-free).

A serial scanner sends each code followed by its suffix (CR by default on most models; LF,
CRLF or Tab on others; or nothing). Reads arrive in arbitrary pieces (USB packets, a 16-byte
UART FIFO), so :class:`SuffixFramer` keeps what it has until the suffix arrives. Without a
suffix, or when the configured suffix never comes, a code ends when the line has been quiet
for ``idle_timeout`` seconds: a misconfigured suffix costs a little delay, not the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SUFFIXES", "SuffixFramer"]

#: Suffix names -> bytes. "none": frames end by the idle timeout only.
SUFFIXES: dict[str, bytes] = {
    "cr": b"\r",
    "lf": b"\n",
    "crlf": b"\r\n",
    "tab": b"\t",
    "none": b"",
}

#: More than this without a suffix is not a code (a stuck or misconfigured device).
MAX_FRAME = 4096


class SuffixFramer:
    """Feed bytes as they arrive; get finished codes back.

    ``suffix``: a name from :data:`SUFFIXES`. ``idle_timeout`` (seconds): a partial frame this
    old with no new byte is finished as it is (with ``"none"`` that is the only way a frame
    ends). ``encoding``: tried first; bytes that are not valid in it are read as cp1252
    (scanners in a Windows "PC" code page). Stray CR/LF around a frame (a CRLF scanner set as
    CR) and NULs are stripped; empty frames are dropped.
    """

    def __init__(self, suffix: str = "cr", *, idle_timeout: float = 0.1,
                 encoding: str = "utf-8", max_frame: int = MAX_FRAME) -> None:
        if suffix not in SUFFIXES:
            raise ValueError(f"unknown suffix {suffix!r}; use one of {', '.join(SUFFIXES)}")
        if idle_timeout <= 0:
            raise ValueError("idle_timeout must be positive")
        self.suffix = suffix
        self.idle_timeout = idle_timeout
        self.encoding = encoding
        self.max_frame = max_frame
        self._sep = SUFFIXES[suffix]
        self._buf = bytearray()
        self._last = 0.0
        self.overflows = 0

    @classmethod
    def from_settings(cls, table: Mapping[str, Any]) -> SuffixFramer:
        """From ``settings.section("scanner")``: ``serial_suffix``, ``serial_idle_ms``,
        ``serial_encoding``; invalid values fall back to the defaults."""
        suffix = str(table.get("serial_suffix") or "cr").lower()
        try:
            idle = float(table.get("serial_idle_ms") or 100) / 1000
        except (TypeError, ValueError):
            idle = 0.1
        encoding = str(table.get("serial_encoding") or "utf-8")
        try:
            "".encode(encoding)
        except LookupError:
            encoding = "utf-8"
        return cls(suffix if suffix in SUFFIXES else "cr", idle_timeout=max(idle, 0.01),
                   encoding=encoding)

    @property
    def pending(self) -> bool:
        """Bytes are waiting for their suffix or the idle timeout."""
        return bool(self._buf)

    def deadline(self) -> float | None:
        """When :meth:`poll` would finish the partial frame (``None``: nothing pending)."""
        return self._last + self.idle_timeout if self._buf else None

    def feed(self, data: bytes, now: float) -> list[str]:
        """Bytes read at ``now`` (seconds, any monotonic clock) -> the codes they finish."""
        out: list[str] = []
        if self._buf and now - self._last > self.idle_timeout:
            out.extend(self._finish(bytes(self._buf)))
            self._buf.clear()
        if data:
            self._last = now
        self._buf += data
        if self._sep:
            while True:
                i = self._buf.find(self._sep)
                if i < 0:
                    break
                frame = bytes(self._buf[:i])
                del self._buf[:i + len(self._sep)]
                out.extend(self._finish(frame))
        if len(self._buf) > self.max_frame:
            self.overflows += 1
            self._buf.clear()
        return out

    def poll(self, now: float) -> list[str]:
        """Finish a partial frame that has been idle for ``idle_timeout``."""
        if self._buf and now - self._last >= self.idle_timeout:
            frame = bytes(self._buf)
            self._buf.clear()
            return self._finish(frame)
        return []

    def flush(self) -> list[str]:
        """Finish whatever is pending now (the port is closing)."""
        frame = bytes(self._buf)
        self._buf.clear()
        return self._finish(frame)

    def _finish(self, frame: bytes) -> list[str]:
        frame = frame.replace(b"\x00", b"").strip(b"\r\n")
        if not frame.strip():
            return []
        try:
            text = frame.decode(self.encoding)
        except UnicodeDecodeError:
            text = frame.decode("cp1252", errors="replace")
        return [text]
