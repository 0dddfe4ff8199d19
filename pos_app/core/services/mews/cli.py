"""``pos-app mews ...``: the chain's loyalty programs and their tiers, for the back office."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from pos_app.core.i18n import _

if TYPE_CHECKING:  # the adapter (and httpx) load when a command runs, not with the parser
    from pos_app.core.services.mews.adapter import MewsBackend, Program


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``mews programs|program-add|program-rename|program-delete``."""
    parser = commands.add_parser("mews", help=_("Mews loyalty programs and tiers (back office)"))
    sub = parser.add_subparsers(dest="mews_command", metavar="ACTION", required=True)
    p = sub.add_parser("programs", help=_("list the chain's loyalty programs with their tiers"))
    p.add_argument("--json", action="store_true", help=_("print a JSON list"))
    p.set_defaults(run=_programs)
    p = sub.add_parser("program-add", help=_("add a loyalty program"))
    p.add_argument("name")
    p.add_argument("code")
    p.set_defaults(run=_add)
    p = sub.add_parser("program-rename", help=_("rename a loyalty program"))
    p.add_argument("id")
    p.add_argument("name")
    p.set_defaults(run=_rename)
    p = sub.add_parser("program-delete",
                       help=_("delete a loyalty program (refused while it has active "
                              "members)"))
    p.add_argument("id")
    p.set_defaults(run=_delete)


def _backend(counter: Any) -> MewsBackend:
    backend = counter.backend("mews")
    from pos_app.core.services.mews.adapter import MewsBackend

    assert isinstance(backend, MewsBackend)
    return backend


def program_json(program: Program) -> dict[str, Any]:
    return {"id": program.id, "name": program.name, "code": program.code,
            "tiers": [{"id": t.id, "name": t.name, "code": t.code, "ordering": t.ordering}
                      for t in program.tiers]}


def _programs(counter: Any, args: argparse.Namespace) -> int:
    programs = _backend(counter).programs()
    if args.json:
        print(json.dumps([program_json(p) for p in programs], ensure_ascii=False))
        return 0
    if not programs:
        print(_("The chain has no loyalty programs."))
    for p in programs:
        tiers = ", ".join(t.name for t in p.tiers) or _("no tiers")
        print(f"{p.id}  {p.code:<8} {p.name}  ({tiers})")
    return 0


def _add(counter: Any, args: argparse.Namespace) -> int:
    program = _backend(counter).program_add(args.name, args.code)
    print(_("Added the program {name} ({code}): {id}").format(name=program.name,
                                                              code=program.code, id=program.id))
    return 0


def _rename(counter: Any, args: argparse.Namespace) -> int:
    _backend(counter).program_rename(args.id, args.name)
    print(_("Renamed the program {id} to {name}.").format(id=args.id, name=args.name.strip()))
    return 0


def _delete(counter: Any, args: argparse.Namespace) -> int:
    _backend(counter).program_delete(args.id)
    print(_("Deleted the program {id}.").format(id=args.id))
    return 0
