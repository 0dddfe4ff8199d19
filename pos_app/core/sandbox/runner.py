"""Start the sandboxed services together, in this process, on loopback: one server each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.sandbox.state import StateFile
from pos_app.core.services import SERVICES


@dataclass
class Sandbox:
    """The running sandbox: one server per service, by service name."""

    by_name: dict[str, SandboxServer]

    def __getattr__(self, name: str) -> SandboxServer:
        """``sandbox.<service>``: that service's server."""
        try:
            return self.__dict__["by_name"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: object) -> None:
        if name != "by_name" and name in self.__dict__.get("by_name", {}):
            self.by_name[name] = value  # type: ignore[assignment]
        else:
            super().__setattr__(name, value)

    @property
    def servers(self) -> list[SandboxServer]:
        return list(self.by_name.values())

    def server(self, name: str) -> SandboxServer:
        return self.by_name[name]

    def service_settings(self) -> dict[str, dict[str, Any]]:
        """Settings tables that point the app at this sandbox."""
        return {name: server.app.settings(server) for name, server in self.by_name.items()}

    def demo_cards(self) -> list[dict[str, Any]]:
        """Every demo card of every service, for the demo panel and the sandbox banner."""
        return [card for server in self.servers for card in server.app.demo_cards()]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def start_sandbox(host: str = "127.0.0.1", port: int = 0,
                  state_file: Path | None = None) -> Sandbox:
    """Start every service: the first on ``port``, the next ones on the ports after it (any
    free ports when ``port`` is 0).

    With ``state_file`` the services keep their data in that JSON file across restarts.
    """
    state = None if state_file is None else StateFile(state_file)
    started: dict[str, SandboxServer] = {}
    try:
        for i, spec in enumerate(SERVICES):
            started[spec.name] = SandboxServer(spec.sandbox(), host, port + i if port else 0,
                                               state=state).start()
    except OSError:
        for server in started.values():
            server.stop()
        raise
    return Sandbox(started)
