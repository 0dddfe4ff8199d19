"""One in-process sandbox per data folder, shared by every process that uses that folder.

The first process that needs the built-in sandbox starts it, holds ``sandbox.lock`` with an
operating-system lock for as long as it runs, and writes the settings tables that point at it
to ``sandbox-running.json``. A second process on the same folder (the window and a command
line, two windows) finds the lock held and uses those servers instead of starting its own: the
cards have one state, and both see every operation. When the first process ends, the lock goes
with it; the next process to start takes the sandbox over (its data lives in the state file).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from pos_app.core.owners import try_lock, unlock
from pos_app.core.sandbox.runner import Sandbox, start_sandbox

log = logging.getLogger(__name__)

LOCK_FILE = "sandbox.lock"
INFO_FILE = "sandbox-running.json"
#: How long a second process waits for the first one to say where its sandbox runs.
JOIN_WAIT_S = 10.0


class OwnedSandbox:
    """The sandbox this process runs (``sandbox.<service>`` is that service's server)."""

    shared = False

    def __init__(self, sandbox: Sandbox, lock: IO[bytes], info: Path) -> None:
        self._sandbox, self._lock, self._info = sandbox, lock, info

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_sandbox"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            super().__setattr__(name, value)
        else:  # sandbox.<service> = server (tests replace a server)
            setattr(self._sandbox, name, value)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._info.unlink()
        self._sandbox.stop()
        unlock(self._lock)
        self._lock.close()


class JoinedSandbox:
    """Another process's sandbox on this data folder, used over its loopback addresses."""

    shared = True

    @property
    def servers(self) -> list[Any]:
        """None in this process."""
        return []

    def __init__(self, tables: dict[str, dict[str, Any]]) -> None:
        self.tables = tables

    def service_settings(self) -> dict[str, dict[str, Any]]:
        return {name: dict(table) for name, table in self.tables.items()}

    def demo_cards(self) -> list[dict[str, Any]]:
        """Every service's demo cards, as its sandbox tells them (``/_sandbox/info``)."""
        import httpx

        cards: list[dict[str, Any]] = []
        with httpx.Client(timeout=5.0) as http:
            for name, table in self.tables.items():
                parts = urlsplit(str(table["base_url"]))
                try:
                    info = http.get(f"{parts.scheme}://{parts.netloc}/_sandbox/info").json()
                except (httpx.HTTPError, ValueError) as exc:
                    log.info("sandbox %s: demo cards not read: %s", name, type(exc).__name__)
                    continue
                cards += [{"service": name, **c} for c in info.get("cards", [])]
        return cards

    def stop(self) -> None:
        """Nothing to stop: the process that runs the sandbox stops it."""


def start_or_join(folder: Path, state_file: Path) -> OwnedSandbox | JoinedSandbox:
    """This data folder's sandbox: started here when no running process has one."""
    folder.mkdir(parents=True, exist_ok=True)
    info = folder / INFO_FILE
    deadline = time.monotonic() + JOIN_WAIT_S
    while True:
        lock = open(folder / LOCK_FILE, "a+b")  # noqa: SIM115 - held while the sandbox runs
        if try_lock(lock):
            sandbox = start_sandbox(state_file=state_file)
            _write(info, sandbox.service_settings())
            return OwnedSandbox(sandbox, lock, info)
        lock.close()
        tables = _read(info)
        if tables is not None:
            log.info("using the sandbox another process runs on this data folder")
            return JoinedSandbox(tables)
        if time.monotonic() > deadline:  # the owner never said: run without it
            raise OSError(f"another process holds {folder / LOCK_FILE} but says nothing")
        time.sleep(0.05)  # the owner is starting it


def _write(path: Path, tables: dict[str, dict[str, Any]]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sandbox-running-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"pid": os.getpid(), "settings": tables}, fh)
    os.replace(tmp, path)


def _read(path: Path) -> dict[str, dict[str, Any]] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    tables = data.get("settings") if isinstance(data, dict) else None
    return tables if isinstance(tables, dict) and tables else None
