"""``pos-app decode IMAGE... [--json]``: print the codes the app's decoder reads in image files.

Uses the still-image path (:func:`pos_app.core.scanning.decoder.decode_file`), the same decoder
as the camera plus a few extra attempts when nothing is read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from pos_app.core.i18n import _, ngettext

__all__ = ["main", "run"]


def run(paths: list[str], as_json: bool) -> int:
    """Decode each file and print one result per file.

    Plain output: ``PATH: TEXT`` (control characters escaped), ``PATH: (no code)`` when nothing
    was read, and one indented line per code when there are several. ``as_json``: one JSON
    object per line and per file, ``{"path": ..., "text": ...}`` with ``text`` null when
    nothing was read, ``"texts": [...]`` added when several codes were read, and ``"error"``
    when the file could not be opened. Returns 0, or 1 when any file could not be opened
    (a file with no code is not an error), or 2 when the decoder is not installed.
    """
    from pos_app.core.scanning.decoder import ScannerUnavailable, decode_file

    failed = False
    for path in paths:
        try:
            texts = [d.text for d in decode_file(path)]
        except ScannerUnavailable as exc:
            _emit(f"pos-app decode: {exc}", sys.stderr)
            return 2
        except (OSError, ValueError) as exc:
            failed = True
            reason = _reason(exc)
            if as_json:
                _emit_json({"path": path, "text": None, "error": reason}, sys.stdout)
            else:
                _emit(_("pos-app decode: cannot open {path}: {why}").format(path=path,
                                                                            why=reason),
                      sys.stderr)
            continue
        if as_json:
            obj: dict[str, Any] = {"path": path, "text": texts[0] if texts else None}
            if len(texts) > 1:
                obj["texts"] = texts
            _emit_json(obj, sys.stdout)
        elif not texts:
            _emit(_("{path}: (no code)").format(path=path), sys.stdout)
        elif len(texts) == 1:
            _emit(f"{path}: {_printable(texts[0])}", sys.stdout)
        else:
            _emit(ngettext("{path}: {count} code", "{path}: {count} codes", len(texts)).format(
                path=path, count=len(texts)), sys.stdout)
            for i, text in enumerate(texts, 1):
                _emit(f"  {i}: {_printable(text)}", sys.stdout)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry: ``python -m pos_app.cli.decode IMAGE... [--json]``."""
    from pos_app.cli.argparse_words import translate_argparse

    translate_argparse()
    ap = argparse.ArgumentParser(prog="pos-app decode",  # i18n-skip
                                 description=_("Print the codes the app's decoder reads in "
                                               "image files."))
    ap.add_argument("images", nargs="+", metavar="IMAGE")
    ap.add_argument("--json", action="store_true",
                    help=_("one JSON object per line per image"))
    args = ap.parse_args(argv)
    return run(args.images, args.json)


def _reason(exc: BaseException) -> str:
    """Why a file could not be read, in words (also the ``error`` of ``--json``: English
    there, as the command line chose)."""
    if isinstance(exc, FileNotFoundError):
        return _("no such file")
    if isinstance(exc, IsADirectoryError):
        return _("is a directory")
    if isinstance(exc, PermissionError):
        return _("permission denied")
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return _("not an image that can be read")


def _printable(text: str) -> str:
    """Escape control characters (newlines, tabs, ...) so that one code stays on one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _emit(line: str, stream: TextIO) -> None:
    """Print a line; characters the stream's encoding cannot hold come out escaped."""
    try:
        print(line, file=stream)
    except UnicodeEncodeError:
        enc = getattr(stream, "encoding", None) or "ascii"
        print(line.encode(enc, "backslashreplace").decode(enc), file=stream)


def _emit_json(obj: dict[str, Any], stream: TextIO) -> None:
    try:
        print(json.dumps(obj, ensure_ascii=False), file=stream)
    except UnicodeEncodeError:  # e.g. a Windows pipe in a legacy code page: stay valid JSON
        print(json.dumps(obj), file=stream)


if __name__ == "__main__":
    raise SystemExit(main())
