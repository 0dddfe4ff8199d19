"""Layout-proof characters for keyboard-wedge scanners (Qt-free).

A USB or Bluetooth scanner in keyboard mode sends *key positions* as a US keyboard would
(HID usage "key 1", "key Q" with or without Shift). The operating system turns them into
characters with whatever layout the cashier has: with a Russian (ЙЦУКЕН) layout the scanner's
``QR123`` arrives as ``ЙК123``, with French AZERTY as ``AR&é"``, with German QWERTZ ``Y`` and
``Z`` swap. This module rebuilds the character the scanner meant:

1. From the key's native code, which names a physical position whatever the layout:

   * Windows: the scan code (set 1, Qt adds ``0x100`` for extended keys); numpad keys by their
     virtual key (``VK_NUMPAD0``...). ``VK_PACKET`` (text injected with ``SendInput``) keeps
     the typed text.
   * macOS: the virtual key code (``kVK_ANSI_*``, named after the ANSI position); Qt sets the
     scan code to 1 on real events and 0 on events without native information.
   * Linux X11 and Wayland: the XKB keycode, which is the evdev code + 8.

2. When the event has no native code (synthetic events, some remote desktops): a table that
   maps the typed character back to the US character at the same key position, for Russian,
   French AZERTY and German QWERTZ (:func:`to_us`).

Dead keys (``^`` on AZERTY, ``´`` on QWERTZ) give no text at all; step 1 still knows which key
was pressed, step 2 cannot (the next character comes out composed). Characters a US keyboard
cannot type (a Cyrillic QR payload, sent by a scanner in "Alt+numpad" mode) are kept as typed.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "LAYOUTS",
    "KeyDecoder",
    "Platform",
    "layout_for_locale",
    "to_us",
    "us_char",
]

Platform = Literal["windows", "mac", "x11"]

# -- US characters by PC set-1 scan code (= Linux evdev code for these keys) ---------------

_US_ROWS: tuple[tuple[int, str, str], ...] = (
    (2, "1234567890-=", "!@#$%^&*()_+"),
    (16, "qwertyuiop[]", "QWERTYUIOP{}"),
    (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),
    (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
)


def _set1_table() -> dict[int, tuple[str, str]]:
    table: dict[int, tuple[str, str]] = {}
    for start, plain, shifted in _US_ROWS:
        for i, (lo, hi) in enumerate(zip(plain, shifted, strict=True)):
            table[start + i] = (lo, hi)
    table[57] = (" ", " ")  # space
    table[86] = ("\\", "|")  # the ISO key left of Z (US layout types backslash there)
    return table


_SET1 = _set1_table()
#: Numpad keys by set-1/evdev code: 55 is KP*, 71..83 the block, 98 evdev KP/ (Windows: 0x135).
_SET1_KEYPAD: dict[int, str] = {
    55: "*", 71: "7", 72: "8", 73: "9", 74: "-", 75: "4", 76: "5", 77: "6", 78: "+",
    79: "1", 80: "2", 81: "3", 82: "0", 83: ".", 98: "/",
}
_WIN_EXTENDED = 0x100
#: Windows virtual keys of the numpad (VK_NUMPAD0..9, multiply, add, separator, subtract,
#: decimal, divide).
_WIN_VK_KEYPAD: dict[int, str] = {
    **{0x60 + d: str(d) for d in range(10)},
    0x6A: "*", 0x6B: "+", 0x6C: ",", 0x6D: "-", 0x6E: ".", 0x6F: "/",
}
_WIN_VK_PACKET = 0xE7

# -- macOS virtual key codes (kVK_ANSI_*: physical ANSI positions) --------------------------

_MAC_KEYS: dict[int, tuple[str, str]] = {
    0x00: ("a", "A"), 0x01: ("s", "S"), 0x02: ("d", "D"), 0x03: ("f", "F"),
    0x04: ("h", "H"), 0x05: ("g", "G"), 0x06: ("z", "Z"), 0x07: ("x", "X"),
    0x08: ("c", "C"), 0x09: ("v", "V"), 0x0A: ("`", "~"), 0x0B: ("b", "B"),
    0x0C: ("q", "Q"), 0x0D: ("w", "W"), 0x0E: ("e", "E"), 0x0F: ("r", "R"),
    0x10: ("y", "Y"), 0x11: ("t", "T"), 0x12: ("1", "!"), 0x13: ("2", "@"),
    0x14: ("3", "#"), 0x15: ("4", "$"), 0x16: ("6", "^"), 0x17: ("5", "%"),
    0x18: ("=", "+"), 0x19: ("9", "("), 0x1A: ("7", "&"), 0x1B: ("-", "_"),
    0x1C: ("8", "*"), 0x1D: ("0", ")"), 0x1E: ("]", "}"), 0x1F: ("o", "O"),
    0x20: ("u", "U"), 0x21: ("[", "{"), 0x22: ("i", "I"), 0x23: ("p", "P"),
    0x25: ("l", "L"), 0x26: ("j", "J"), 0x27: ("'", '"'), 0x28: ("k", "K"),
    0x29: (";", ":"), 0x2A: ("\\", "|"), 0x2B: (",", "<"), 0x2C: ("/", "?"),
    0x2D: ("n", "N"), 0x2E: ("m", "M"), 0x2F: (".", ">"), 0x31: (" ", " "),
    0x32: ("`", "~"),
}
_MAC_KEYPAD: dict[int, str] = {
    0x41: ".", 0x43: "*", 0x45: "+", 0x4B: "/", 0x4E: "-", 0x51: "=",
    0x52: "0", 0x53: "1", 0x54: "2", 0x55: "3", 0x56: "4", 0x57: "5", 0x58: "6",
    0x59: "7", 0x5B: "8", 0x5C: "9",
}

_X11_OFFSET = 8


def us_char(platform: Platform, scan_code: int, virtual_key: int, *, shift: bool,
            text: str = "") -> str | None:
    """The character a US keyboard types at this key, or ``None`` when the native codes do
    not name a character key (no codes, a modifier, a function or navigation key).

    ``text`` is the event's own text: it is kept for Windows ``VK_PACKET`` input, and a numpad
    key counts as a character only when it typed something (NumLock on).
    """
    if platform == "windows":
        if virtual_key == _WIN_VK_PACKET:
            return text or None
        if virtual_key in _WIN_VK_KEYPAD:
            return _WIN_VK_KEYPAD[virtual_key]
        if scan_code <= 0:
            return None
        extended = bool(scan_code & _WIN_EXTENDED)
        code = scan_code & 0xFF
        if extended:  # the navigation cluster and right-hand keys; only numpad / stays
            return "/" if code == 0x35 else None
        if code in _SET1_KEYPAD:  # numpad with NumLock off: arrows, Home... (a VK tells)
            return _SET1_KEYPAD[code] if code == 55 else None
        pair = _SET1.get(code)
    elif platform == "mac":
        if scan_code == 0:  # no native information (kVK 0 would be "a")
            return None
        if virtual_key in _MAC_KEYPAD:
            return _MAC_KEYPAD[virtual_key]
        pair = _MAC_KEYS.get(virtual_key)
    else:  # X11 / Wayland: XKB keycode = evdev + 8
        code = scan_code - _X11_OFFSET
        if code in _SET1_KEYPAD:
            return _SET1_KEYPAD[code] if text else None
        pair = _SET1.get(code) if scan_code > _X11_OFFSET else None
    if pair is None:
        return None
    return pair[1] if shift else pair[0]


# -- layout tables (the fallback) ------------------------------------------------------------

# Each layout's characters at the US rows' positions: (plain, shifted) for the rows
# "`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./". A space is a position
# with no character (or a dead key, which types nothing by itself).
_US_LAYOUT = (
    ("`1234567890-=", "~!@#$%^&*()_+"),
    ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
    ("asdfghjkl;'", 'ASDFGHJKL:"'),
    ("zxcvbnm,./", "ZXCVBNM<>?"),
)
_LAYOUT_ROWS: dict[str, tuple[tuple[str, str], ...]] = {
    # Russian (ЙЦУКЕН), the Windows/macOS/X11 "Russian" layout.
    "ru": (
        ("ё1234567890-=", 'Ё!"№;%:?*()_+'),
        ("йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"),
        ("фывапролджэ", "ФЫВАПРОЛДЖЭ"),
        ("ячсмитьбю.", "ЯЧСМИТЬБЮ,"),
    ),
    # French AZERTY (Windows "French"); ^ and ¨ are dead keys.
    "fr": (
        ("²&é\"'(-è_çà)=", " 1234567890°+"),
        ("azertyuiop $*", "AZERTYUIOP £µ"),
        ("qsdfghjklmù", "QSDFGHJKLM%"),
        ("wxcvbn,;:!", "WXCVBN?./§"),
    ),
    # German QWERTZ; ^, ´ and ` are dead keys.
    "de": (
        (" 1234567890ß ", "°!\"§$%&/()=? "),
        ("qwertzuiopü+#", "QWERTZUIOPÜ*'"),
        ("asdfghjklöä", "ASDFGHJKLÖÄ"),
        ("yxcvbnm,.-", "YXCVBNM;:_"),
    ),
}
#: Layouts :func:`to_us` knows ("us" maps nothing).
LAYOUTS = ("us", "ru", "fr", "de")


def _layout_map(rows: tuple[tuple[str, str], ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for (lo, hi), (us_lo, us_hi) in zip(rows, _US_LAYOUT, strict=True):
        for chars, us_chars in ((lo, us_lo), (hi, us_hi)):
            for ch, us in zip(chars, us_chars, strict=True):
                if ch != " " and ch not in mapping:
                    mapping[ch] = us
    return mapping


_TO_US: dict[str, dict[str, str]] = {name: _layout_map(rows)
                                     for name, rows in _LAYOUT_ROWS.items()}
_TO_US["us"] = {}


def to_us(text: str, layout: str | None) -> str:
    """``text`` as typed with ``layout``, put back to the US characters at the same keys.

    With no known layout only Cyrillic is mapped (no US key types it, so the Russian layout is
    certain); characters a layout does not have on its keys are kept.
    """
    table = _TO_US.get(layout or "")
    if table is None:
        table = _TO_US["ru"] if any("\u0400" <= ch <= "\u04ff" for ch in text) else {}
    return "".join(table.get(ch, ch) for ch in text)


def layout_for_locale(name: str) -> str | None:
    """The layout table for a keyboard locale such as ``"ru_RU"``, ``"fr-BE"``, ``"de_AT"``
    (Qt's ``QInputMethod.locale().name()``); ``None`` when there is none for it."""
    lang, _, country = name.replace("-", "_").partition("_")
    lang, country = lang.lower(), country.upper()
    if lang in ("ru", "be", "kk"):
        return "ru"
    if lang == "fr" and country not in ("CA", "CH"):  # Canadian French and Swiss are QWERTY/Z
        return "fr"
    if lang == "de" and country != "CH":
        return "de"
    if lang == "en":
        return "us"
    return None


class KeyDecoder:
    """Turns one key press into the character the scanner meant.

    ``mode`` ``"us"`` (the default, scanners ship set to a US keyboard) rebuilds characters from
    the key position; ``"as-typed"`` trusts the layout (for a scanner set to the same keyboard
    country as the computer). ``layout`` names the fallback table for events without native
    codes (``None``: Cyrillic only).
    """

    def __init__(self, platform: Platform, *, mode: str = "us",
                 layout: str | None = None) -> None:
        self.platform = platform
        self.mode = mode
        self.layout = layout

    def char(self, text: str, scan_code: int = 0, virtual_key: int = 0, *,
             shift: bool = False) -> str:
        """The scanner's character for this key press; ``""`` when it is not a character."""
        if self.mode == "as-typed":
            return text if text.isprintable() else ""
        ch = us_char(self.platform, scan_code, virtual_key, shift=shift, text=text)
        if ch is not None:
            return ch
        if not text or not text.isprintable():
            return ""
        if self.has_native(scan_code, virtual_key):
            # A key we do not map (Alt+numpad characters, unusual keys): as typed.
            return text
        return to_us(text, self.layout)

    def has_native(self, scan_code: int, virtual_key: int) -> bool:
        """Whether the event carries a native key position (else the layout table is used)."""
        if self.platform == "windows":
            return scan_code > 0 or virtual_key in _WIN_VK_KEYPAD
        if self.platform == "mac":
            return scan_code != 0
        return scan_code > _X11_OFFSET
