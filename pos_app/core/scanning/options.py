"""The ``[scanner]`` settings table: every key the scanner inputs read, with its default
(Qt-free, so that the settings file can be checked without the window)."""

from __future__ import annotations

from typing import Any

#: The ``[scanner]`` settings and their defaults.
DEFAULTS: dict[str, Any] = {
    "wedge_enabled": True,
    "wedge_max_gap_ms": 50,
    "wedge_min_length": 4,
    "wedge_suffixes": ["enter", "tab"],
    "wedge_field_min_length": 0,     # in an amount or a date: 0 = the services' shortest code
    "wedge_keyboard": "us",          # "us": rebuild from key positions; "as-typed"
    "wedge_layout": "auto",          # fallback table: auto (input locale), us, ru, fr, de
    "camera_enabled": False,
    "camera_name": "",               # as QMediaDevices names it
    "camera_id": "",
    "camera_source": "",             # an index, a video file or a stream URL (overrides)
    "camera_width": 1280,
    "camera_height": 720,
    "camera_backend": "",            # "" = dshow on Windows, auto elsewhere; or msmf, ...
    "camera_absent_frames": 8,
    "camera_repeat_after": 10.0,     # seconds; 0 = only after the code left the view
    "camera_preview": True,
    "camera_system": "qt",           # qt (QtMultimedia); opencv (the optional extra)
    "serial_enabled": False,
    "serial_port": "",
    "serial_baud": 9600,
    "serial_suffix": "cr",
    "serial_idle_ms": 100,
    "serial_retry_ms": 1000,         # first reconnect delay (doubles up to 10 s)
    "feedback_sound": "auto",        # auto, beep, off
    "feedback_flash": True,
}

#: Keys read when present, with no default shown in the settings dialog.
OPTIONAL_KEYS = ("serial_encoding", "camera_file_speed")

#: Every key ``[scanner]`` may have.
KEYS: tuple[str, ...] = (*DEFAULTS, *OPTIONAL_KEYS)
