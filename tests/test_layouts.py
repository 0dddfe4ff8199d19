"""Layout-proof characters: native key positions and the layout tables."""

from __future__ import annotations

import string

import pytest

from pos_app.core.scanning.layouts import (
    _LAYOUT_ROWS,
    _MAC_KEYS,
    _SET1,
    KeyDecoder,
    layout_for_locale,
    to_us,
    us_char,
)

# US character -> (set-1/evdev code, shift)
US_KEYS: dict[str, tuple[int, bool]] = {}
for _code, (_lo, _hi) in _SET1.items():
    if _code == 86:  # the ISO key duplicates backslash
        continue
    US_KEYS.setdefault(_lo, (_code, False))
    US_KEYS.setdefault(_hi, (_code, True))
MAC_KEYS: dict[str, tuple[int, bool]] = {}
for _code, (_lo, _hi) in _MAC_KEYS.items():
    MAC_KEYS.setdefault(_lo, (_code, False))
    MAC_KEYS.setdefault(_hi, (_code, True))

PRINTABLE_US = string.ascii_letters + string.digits + string.punctuation + " "


def typed_with(layout: str, us: str) -> str:
    """What a layout types at the key (and shift state) where a US keyboard has ``us``."""
    us_rows = (("`1234567890-=", "~!@#$%^&*()_+"), ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
               ("asdfghjkl;'", 'ASDFGHJKL:"'), ("zxcvbnm,./", "ZXCVBNM<>?"))
    for (lo, hi), (us_lo, us_hi) in zip(_LAYOUT_ROWS[layout], us_rows, strict=True):
        for chars, us_chars in ((lo, us_lo), (hi, us_hi)):
            i = us_chars.find(us)
            if i >= 0:
                return chars[i]
    return us


def test_every_us_character_is_reachable_on_each_platform() -> None:
    for ch in PRINTABLE_US:
        code, shift = US_KEYS[ch]
        assert us_char("x11", code + 8, 0, shift=shift) == ch
        assert us_char("windows", code, 0, shift=shift) == ch
        mac_code, mac_shift = MAC_KEYS[ch]
        assert us_char("mac", 1, mac_code, shift=mac_shift) == ch


@pytest.mark.parametrize("platform", ["x11", "windows", "mac"])
@pytest.mark.parametrize("layout", ["ru", "fr", "de"])
def test_a_code_typed_through_any_layout_comes_back(platform: str, layout: str) -> None:
    code = "https://luna.test/c/448234-808-346?Q=Zy&w=1"
    decoder = KeyDecoder(platform, mode="us")  # type: ignore[arg-type]
    out = []
    for ch in code:
        if platform == "mac":
            key, shift = MAC_KEYS[ch]
            scan, vk = 1, key
        else:
            key, shift = US_KEYS[ch]
            scan, vk = (key + 8, 0) if platform == "x11" else (key, 0)
        text = typed_with(layout, ch)
        if text == " ":  # a dead key on this layout: it types nothing
            text = ""
        out.append(decoder.char(text, scan, vk, shift=shift))
    assert "".join(out) == code


def test_windows_numpad_and_special_virtual_keys() -> None:
    # VK_NUMPAD7 with the numpad scan code, NumLock on
    assert us_char("windows", 0x47, 0x67, shift=False) == "7"
    # Same scan code, NumLock off: VK_HOME -> not a character
    assert us_char("windows", 0x47, 0x24, shift=False) is None
    # Extended Home (navigation cluster) and numpad divide
    assert us_char("windows", 0x147, 0x24, shift=False) is None
    assert us_char("windows", 0x135, 0x6F, shift=False) == "/"
    # VK_PACKET (SendInput unicode): the text as it is
    assert us_char("windows", 0, 0xE7, shift=False, text="Ж") == "Ж"
    # No scan code at all
    assert us_char("windows", 0, 0x41, shift=False) is None


def test_x11_keypad_needs_numlock_text() -> None:
    assert us_char("x11", 71 + 8, 0, shift=False, text="7") == "7"
    assert us_char("x11", 79 + 8, 0, shift=False, text="1") == "1"
    assert us_char("x11", 71 + 8, 0, shift=False, text="") is None  # NumLock off: Home
    assert us_char("x11", 83 + 8, 0, shift=False, text=",") == "."  # German numpad comma
    assert us_char("x11", 0, 0, shift=False) is None
    assert us_char("x11", 9, 0, shift=False) is None  # Escape


def test_mac_without_native_information_is_not_kvk_a() -> None:
    assert us_char("mac", 0, 0, shift=False) is None
    assert us_char("mac", 1, 0, shift=False) == "a"
    assert us_char("mac", 1, 0x52, shift=False) == "0"


def test_layout_tables() -> None:
    assert to_us("ЙЦУКЕН123", "ru") == "QWERTY123"
    assert to_us("фыва", None) == "asdf"  # Cyrillic is Russian whatever is known
    assert to_us('&é"\'(', "fr") == "12345"
    assert to_us("azqwm", "fr") == "qwaz;"
    assert to_us("zyZY-ß", "de") == "yzYZ/-"
    assert to_us("abc", None) == "abc"
    assert to_us("abc", "us") == "abc"
    assert to_us("ê", "fr") == "ê"  # a composed character stays


def test_layout_tables_have_each_character_once() -> None:
    for name, rows in _LAYOUT_ROWS.items():
        chars = [ch for lo, hi in rows for ch in lo + hi if ch != " "]
        assert len(chars) == len(set(chars)), name


def test_layout_for_locale() -> None:
    assert layout_for_locale("ru_RU") == "ru"
    assert layout_for_locale("fr_FR") == "fr"
    assert layout_for_locale("fr-BE") == "fr"
    assert layout_for_locale("fr_CA") is None
    assert layout_for_locale("de_DE") == "de"
    assert layout_for_locale("de_CH") is None
    assert layout_for_locale("en_GB") == "us"
    assert layout_for_locale("ja_JP") is None


def test_decoder_modes_and_fallback() -> None:
    us = KeyDecoder("x11", mode="us", layout="ru")
    assert us.char("й", 24, 0x6CA) == "q"          # native position
    assert us.char("й") == "q"                     # no native code: the Russian table
    assert us.char("\r", 36, 0) == ""              # Enter is not a character
    assert us.char("", 34, 0xFE52) == "["          # a dead key still names its position
    typed = KeyDecoder("x11", mode="as-typed")
    assert typed.char("й", 24, 0x6CA) == "й"
    assert typed.char("\x08") == ""
    win = KeyDecoder("windows", mode="us")
    assert win.char("Ж", 0, 0xE7) == "Ж"
    assert win.has_native(0x10, 0x51)
    assert not win.has_native(0, 0)
