"""Start the sandboxed services together, in this process, on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.core.sandbox.loona import LoonaApp
from pos_app.core.sandbox.loona_seed import TEMPLATES as LOONA_TEMPLATES
from pos_app.core.sandbox.luna import LunaApp
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.sandbox.state import StateFile


@dataclass
class Sandbox:
    """The running sandbox: one server per service."""

    luna: SandboxServer
    loona: SandboxServer

    @property
    def servers(self) -> list[SandboxServer]:
        return [self.luna, self.loona]

    def service_settings(self) -> dict[str, dict[str, Any]]:
        """Settings tables that point the app at this sandbox."""
        luna_app: LunaApp = self.luna.app  # type: ignore[assignment]
        loona_app: LoonaApp = self.loona.app  # type: ignore[assignment]
        return {
            "luna": {"base_url": self.luna.url, "token": luna_app.token},
            "loona": {"base_url": self.loona.url,
                      "token_url": self.loona.base_url + "/oauth/token",
                      "client_id": loona_app.client_id,
                      "client_secret": loona_app.client_secret,
                      # Loona's API cannot list templates: the app is told the seed's.
                      "templates": [{"id": tid, "name": t["name"], "type": t["type"]}
                                    for tid, t in LOONA_TEMPLATES.items()]},
        }

    def demo_cards(self) -> list[dict[str, Any]]:
        """Every demo card of every service, for the demo panel and the sandbox banner."""
        cards = []
        for server in self.servers:
            for card in server.app.info().get("cards", []):
                cards.append({"service": server.app.name, **card})
        return cards

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def start_sandbox(host: str = "127.0.0.1", port: int = 0,
                  state_file: Path | None = None) -> Sandbox:
    """Start Luna on ``port`` and Loona on ``port + 1`` (any free ports when ``port`` is 0).

    With ``state_file`` the services keep their data in that JSON file across restarts.
    """
    state = None if state_file is None else StateFile(state_file)
    luna = SandboxServer(LunaApp(), host, port, state=state).start()
    try:
        loona = SandboxServer(LoonaApp(), host, port + 1 if port else 0, state=state).start()
    except OSError:
        luna.stop()
        raise
    return Sandbox(luna, loona)
