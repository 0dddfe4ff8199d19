"""``pos-app``: the window by default, and commands for scripts, support and diagnostics.

Exit codes: 0 success; 1 the service refused or the operation failed; 2 bad input or usage;
3 the outcome is unknown (answer lost; the journal keeps it for checking); 4 settings or
connection problem.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from pos_app import __version__
from pos_app.cli import reports
from pos_app.cli.argparse_words import translate_argparse
from pos_app.core.errors import (
    AuthError,
    AwaitingCashier,
    ConfigError,
    InvalidInput,
    OutcomeUnknown,
    PosError,
    ServiceUnavailable,
    StorageError,
)
from pos_app.core.i18n import N_, _
from pos_app.core.services import SERVICES, templates_notes
from pos_app.core.services import names as service_names

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNKNOWN, EXIT_CONFIG = 0, 1, 2, 3, 4
#: Commands that keep running (the window, the sandbox, the screenshots' Qt): the garbage
#: collector works as usual in them.
_LONG_RUNNING = (None, "sandbox", "screenshots")
#: Commands about one card: only the services the router asks for it are built.
_ONE_CARD = ("card", "apply")


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the chosen language (argparse's own words too)."""
    translate_argparse()
    parser = argparse.ArgumentParser(
        prog="pos-app",
        description=_("Cashier app for loyalty cards. Without a command it opens the window."))
    parser.add_argument("--version", action="version", version=f"pos-app {__version__}",
                        help=_("show the version number and exit"))
    parser.add_argument("--config", metavar="FILE",
                        help=_("settings file (default: $POS_APP_CONFIG or the platform's)"))
    parser.add_argument("-v", "--verbose", action="store_true",
                        help=_("log details to stderr"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("card", help=_("identify a code and show the card"))
    p.add_argument("code")
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))

    p = sub.add_parser("apply", help=_("run one operation on a card"),
                       description=_("Operations: purchase AMOUNT, spend AMOUNT, purchase-spend "
                       "AMOUNT SPEND, accrue POINTS, stamp N, unstamp N, reward N, "
                       "coupon-activate, coupon-redeem, set-expiry YYYY-MM-DD, hold POINTS; "
                       "and for an operation waiting for the cashier (a hold): hold-confirm "
                       "JOURNAL_ID, hold-cancel JOURNAL_ID."))
    p.add_argument("code")
    p.add_argument("operation")
    p.add_argument("args", nargs="*")
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))

    p = sub.add_parser("templates",
                       help=_("list the kinds of card new customers can be given"))
    p.add_argument("--json", action="store_true", help=_("print a JSON list"))

    p = sub.add_parser("enrol", help=_("enrol a new customer and issue a card"),
                       description=_("A first or last name (some services need both) and a "
                       "phone or email are required. A customer the service knows already "
                       "gets the card. TEMPLATE_ID is one `pos-app templates` lists."))
    p.add_argument("service", metavar="SERVICE", type=lambda text: text.strip().lower(),
                   help=", ".join(service_names()))
    p.add_argument("template", metavar="TEMPLATE_ID")
    p.add_argument("--first", default="", metavar="NAME", help=_("first name"))
    p.add_argument("--last", default="", metavar="NAME", help=_("last name"))
    p.add_argument("--phone", default="", metavar="P", help=_("phone with its country code"))
    p.add_argument("--email", default="", metavar="E")
    p.add_argument("--json", action="store_true", help=_("print the new card as JSON"))

    p = sub.add_parser("journal", help=_("list this terminal's operations, newest first"))
    p.add_argument("--json", action="store_true", help=_("print a JSON list"))
    p.add_argument("--limit", type=int, default=None, help=_("show at most N entries"))
    reports.add_journal_arguments(p)
    reports.add_parsers(sub)

    sub.add_parser("check", help=_("try each configured service and say what works"))
    p = sub.add_parser("recover", help=_("resolve operations a crash or lost answer left open"),
                       description=_("Waits while a lost request may still reach its service; "
                       "operations another window or command is finishing are left to it."))
    p.add_argument("--json", action="store_true",
                   help=_("print a JSON list of what was found"))

    p = sub.add_parser("settle", help=_("record what you found for an operation left open"),
                       description=_("After looking at the card at the service: say whether "
                       "journal entry ID was applied or not. Kept in the journal with your "
                       "note, your user name and the time; nothing is sent."))
    p.add_argument("id", type=int, metavar="ID")
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--applied", action="store_true", help=_("it was applied"))
    verdict.add_argument("--not-applied", action="store_true", help=_("it was not applied"))
    p.add_argument("--note", required=True, metavar="TEXT", help=_("what you saw, and where"))
    p.add_argument("--json", action="store_true", help=_("print the settled entry as JSON"))

    p = sub.add_parser("sandbox", help=_("run the sandboxed services on loopback"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0,
                   help=_("the first service's port; the others take the ports after it"))
    p.add_argument("--state", metavar="FILE",
                   help=_("keep the services' data in this JSON file across restarts"))

    p = sub.add_parser("screenshots",
                       help=_("save PNGs of the window's main states (sandbox)"))
    p.add_argument("--out", default=None, help=_("folder for the PNGs"))
    p.add_argument("--lang", choices=("en", "ru"), default="en",
                   help=_("the window's language"))

    p = sub.add_parser("decode", help=_("print what the app's QR decoder reads in images"))
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--json", action="store_true",
                   help=_("one JSON object per line per image"))
    for spec in SERVICES:  # the services' own commands: each sets run(counter, args)
        if spec.cli is not None:
            spec.cli(sub)
    return parser


def _utf8_pipes() -> None:
    """Names on cards are often Cyrillic: write pipes and files as UTF-8 (``--json`` is UTF-8
    by definition), whatever the system's code page (Windows consoles already are)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and not stream.isatty():
            stream.reconfigure(encoding="utf-8", errors="replace")


def _config_argument(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def _choose_language(argv: Sequence[str]) -> None:
    """The language of the help and the human output, chosen before the parser is built;
    ``--json`` is English whatever the settings (it is read by programs)."""
    from pos_app.core.settings import apply_display, display_choices

    if "--json" in argv:
        from pos_app.core.formatting import set_currency
        from pos_app.core.i18n import SOURCE_LANGUAGE, set_language

        set_currency(None)
        set_language(SOURCE_LANGUAGE)
        return
    language, currency = display_choices(_config_argument(argv))
    apply_display(language, currency)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``pos-app`` command; ``argv`` ``None`` is this process's own command line."""
    code = _command(argv)
    if argv is None and not gc.isenabled():
        # A short command's process ends now: its last full collection would walk every
        # object imported (~15 ms); everything the command opened is closed by now.
        gc.freeze()
    return code


def _command(argv: Sequence[str] | None) -> int:
    _utf8_pipes()
    _choose_language(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None and args.command in _LONG_RUNNING:
        gc.enable()  # off while pos-app started (see pos_app.cli)
    elif argv is None:
        gc.disable()  # a short command's garbage is left to its exit, not collected on the way
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.config:
        os.environ["POS_APP_CONFIG"] = args.config
    if args.command is None:
        from pos_app.qt.app import run_app

        return run_app(config=args.config)
    if args.command == "sandbox":
        return _sandbox(args)
    if args.command == "screenshots":
        from pos_app.qt.screenshots import main as screenshots

        return screenshots(["--lang", args.lang] + (["--out", args.out] if args.out else []))
    if args.command == "decode":
        from pos_app.cli.decode import run

        return run(args.images, args.json)
    try:
        from pos_app.core.counter import Counter
        from pos_app.core.logs import logging_active, setup_logging
        from pos_app.core.settings import load_settings

        settings = load_settings(args.config)
        if not logging_active():
            setup_logging(settings, level=logging.DEBUG if args.verbose else logging.INFO)
        if settings.uses_sandbox:
            print(_("Sandbox: demo cards on this computer, not a real service ({reason}).")
                  .format(reason=settings.sandbox_reason), file=sys.stderr)
        if args.command in reports.COMMANDS:
            return reports.COMMANDS[args.command](args)
        with Counter.open(settings, lazy=args.command in _ONE_CARD) as counter:
            moved = getattr(counter.journal, "moved_aside", None)
            if moved is not None:
                print(moved.message(), file=sys.stderr)
            args.sandbox = counter.on_sandbox
            if args.command in ("card", "apply"):
                _report_recovered(counter.recover(wait=False), quiet=args.json)
            run = COMMANDS.get(args.command) or args.run
            return run(counter, args)
    except PosError as exc:
        return _fail(exc, getattr(args, "json", False), getattr(args, "sandbox", None))


def _rows(rows: Sequence[tuple[str, str]], *, least: int, indent: str = "") -> list[str]:
    """Label and value rows, the values lined up after the longest (translated) label, in
    a column at least ``least`` wide (as wide as the English has always been)."""
    width = max([least, *(len(label) for label, _value in rows)])
    return [f"{indent}{label:<{width}} {value}" for label, value in rows]


def _card_text(card: Any, waiting: Sequence[Any] = ()) -> str:
    """A card as the command line shows it (:func:`~pos_app.core.present.card_text`), with
    how to finish each operation waiting on it."""
    from pos_app.core.present import back_office, card_text

    def how(entry: Any) -> str:
        operation = " ".join([entry.operation, *entry.args])
        if entry.at_service:  # a hold without an authorization code
            return _("#{id} {operation}: the till cannot finish it; finish it in "
                     "{place}").format(id=entry.id, operation=operation,
                                       place=back_office(entry.service))
        return _("#{id} {operation}: finish with 'apply {code} hold-confirm {id}' or "
                 "'hold-cancel {id}'").format(id=entry.id, operation=operation,
                                              code=card.code)

    return card_text(card, [(_("Waiting"), how(e)) for e in waiting])


def _card(counter: Any, args: argparse.Namespace) -> int:
    from pos_app.core.heard import with_last_heard

    card = with_last_heard(counter.journal, counter.lookup(args.code))
    waiting = counter.journal.waiting(card.card_id)
    if args.json:
        _emit(args, {**card.to_json(), "waiting": [e.id for e in waiting]})
        return EXIT_OK
    print(_card_text(card, waiting))
    return EXIT_OK


def _apply(counter: Any, args: argparse.Namespace) -> int:
    from pos_app.core.operations import FINISH_ACTIONS, Operation
    from pos_app.core.present import changes, outcome_rows
    from pos_app.core.units import describe

    action = args.operation.strip().lower()
    if action in FINISH_ACTIONS:
        result = counter.finish(_waiting_id(counter, args), cancel=FINISH_ACTIONS[action])
    else:
        result = counter.apply(args.code, Operation.parse(args.operation, args.args))
    if args.json:
        _emit(args, result.to_json())
    elif result.ok and (result.note or result.waiting):
        print(_("{message} Journal #{id}.").format(message=result.message,
                                                    id=result.journal_id))
    elif result.ok:
        print(_("Done: {operation}. Journal #{id}.").format(
            operation=describe(result.operation, result.before), id=result.journal_id))
        rows = list(outcome_rows(result.outcome, result.before))
        if result.after is not None and action not in FINISH_ACTIONS:
            rows += [(label, f"{old} -> {new}")
                     for label, old, new in changes(result.before, result.after)]
        for line in _rows(rows, least=24, indent="  "):
            print(line)
    else:
        print(_("Not done: {message} Journal #{id}.").format(message=result.message,
                                                              id=result.journal_id),
              file=sys.stderr)
    if result.warning and not args.json:
        print(_("Warning: {warning}").format(warning=result.warning), file=sys.stderr)
    if result.ok:
        return EXIT_OK
    return _exit_code(result.error) if result.error else EXIT_FAILED


def _waiting_id(counter: Any, args: argparse.Namespace) -> int:
    """The journal id typed after hold-confirm / hold-cancel, checked against the card."""
    text = args.args[0].strip().lstrip("#") if len(args.args) == 1 else ""
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput(
            _("{operation} takes one journal id: {operation} JOURNAL_ID.").format(
                operation=args.operation),
            _("See 'pos-app journal' or 'pos-app card CODE'."))
    entry = counter.journal.get(int(text))
    _service, claimed = counter.router.route(args.code)
    if entry is None or claimed not in (entry.card, entry.card_id):
        raise InvalidInput(
            _("Journal entry #{id} is not an operation on this card.").format(id=text),
            _("See 'pos-app card CODE' for what waits on it; nothing was sent."))
    return entry.id


def _templates(counter: Any, args: argparse.Namespace) -> int:
    templates = counter.templates()
    if args.json:
        _print([t.to_json() for t in templates], True)
        return EXIT_OK
    if not templates:
        print(_("No card templates.") + " " + templates_notes())
    width = max((len(t.kind_label) for t in templates), default=0)
    for t in templates:
        print(f"{t.service:<6} {t.id:>6}  {t.kind_label:<{width}} {t.name}")
    return EXIT_OK


def _enrol(counter: Any, args: argparse.Namespace) -> int:
    from pos_app.core.cards import Holder

    holder = Holder(args.first, args.last, args.phone, args.email)
    card = counter.enrol(args.service, args.template, holder)
    if args.json:
        _emit(args, {"ok": True, **card.to_json()})
    else:
        print(_("Enrolled: card {code}.").format(code=card.code))
        print(_card_text(card))
    return EXIT_OK


def _check(counter: Any, args: argparse.Namespace) -> int:
    from pos_app.core.secrets import status

    results = counter.check()
    if counter.on_sandbox:
        print(_("Using the built-in sandbox: {reason}.").format(
            reason=counter.settings.sandbox_reason))
    else:
        print(status().message)
    # i18n: the tags in front of each line of `pos-app check`
    works, fails, warns = _("OK"), _("FAIL"), _("WARN")
    width = max(len(works), len(fails), len(warns))
    for warning in getattr(counter.settings, "warnings", None) or []:
        print(f"{warns:<{width}} {warning}")
    for _name, ok, text in results:
        print(f"{works if ok else fails:<{width}} {text}")
    return EXIT_OK if all(ok for _name, ok, _text in results) else EXIT_CONFIG


#: ``pos-app recover``: an operation still open, by its state.
STILL_OPEN = {
    "pending": N_("#{id} {service} {card} {operation}: still pending ({why})."),
    "unknown": N_("#{id} {service} {card} {operation}: still unknown ({why})."),
}
#: What the recovery found, by the operation's state after it.
RECOVERED = {
    "done": N_("Recovered #{id}: {operation} on {code} was applied{why}."),
    "failed": N_("Recovered #{id}: {operation} on {code} was not applied{why}."),
    "unknown": N_("Recovered #{id}: {operation} on {code} is still unknown{why}."),
    "pending": N_("Recovered #{id}: {operation} on {code} is still pending{why}."),
}


def _recover(counter: Any, args: argparse.Namespace) -> int:
    results = counter.recover()
    left = counter.journal.unresolved()
    if args.json:
        _print([{"journal_id": r.journal_id, "ok": r.ok, "state": r.state.value,
                 "operation": r.operation.name.value, "args": r.operation.args(),
                 "card": r.before.code, "error": None if r.error is None else str(r.error)}
                for r in results], True)
    else:
        if not results and not left:
            print(_("Nothing to recover: every operation in the journal is settled."))
        _report_recovered(results, quiet=False, stream=sys.stdout)
        for e in left:
            print(_(STILL_OPEN.get(e.state.value, STILL_OPEN["unknown"])).format(
                id=e.id, service=e.service, card=e.card,
                operation=" ".join([e.operation, *e.args]),
                why=e.error or _("the service did not answer")))
        if left:
            print(_("Look at the card at the service, then record what you found: "
                    "pos-app settle ID --applied|--not-applied --note TEXT."))
    return EXIT_UNKNOWN if left else EXIT_OK


def _report_recovered(results: list[Any], *, quiet: bool, stream: Any = None) -> None:
    """Say what the start-up recovery found (on stderr, so --json output stays clean)."""
    if quiet:
        return
    for r in results:
        why = f" ({r.error})" if r.error is not None and not r.ok else ""
        print(_(RECOVERED[r.state.value]).format(
            id=r.journal_id, operation=r.operation.describe(), code=r.before.code, why=why),
            file=stream or sys.stderr)


def _settle(counter: Any, args: argparse.Namespace) -> int:
    entry = counter.settle(args.id, applied=bool(args.applied), note=args.note)
    if args.json:
        _print(entry.to_json(), True)
        return EXIT_OK
    words = (_("#{id} {operation} on {card}: settled as applied by {by}.") if args.applied
             else _("#{id} {operation} on {card}: settled as not applied by {by}."))
    print(words.format(id=entry.id, operation=" ".join([entry.operation, *entry.args]),
                       card=entry.card, by=entry.settled["by"]))
    return EXIT_OK


COMMANDS = {"card": _card, "apply": _apply, "check": _check, "recover": _recover,
            "templates": _templates, "enrol": _enrol, "settle": _settle}


def _sandbox(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pos_app.core.sandbox.runner import start_sandbox

    state_file = Path(args.state).expanduser() if args.state else None
    try:
        sandbox = start_sandbox(args.host, args.port, state_file)
    except OSError as exc:
        print(_("Cannot start the sandbox on {host}:{port}: {why}.").format(
            host=args.host, port=args.port, why=exc.strerror), file=sys.stderr)
        return EXIT_CONFIG
    import tomli_w

    print(_("Sandbox running. Point the app at it with these settings:") + "\n")
    print(tomli_w.dumps(sandbox.service_settings()))
    print(_("Demo cards:"))
    for card in sandbox.demo_cards():
        print(f"  {card['service']:<6} {card['code']:<20} {card.get('label', '')}")
    print("\n" + _("Press Ctrl+C to stop."), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return EXIT_OK


def _exit_code(exc: PosError) -> int:
    if isinstance(exc, OutcomeUnknown | AwaitingCashier):
        return EXIT_UNKNOWN
    if isinstance(exc, InvalidInput):
        return EXIT_USAGE
    if isinstance(exc, ConfigError | AuthError | ServiceUnavailable | StorageError):
        return EXIT_CONFIG
    return EXIT_FAILED


def _fail(exc: PosError, as_json: bool, sandbox: bool | None = None) -> int:
    if as_json:
        data: dict[str, Any] = {"ok": False, "error": str(exc), "error_kind": exc.kind}
        if sandbox is not None:
            data["sandbox"] = sandbox
        _print(data, True)
    else:
        print(str(exc), file=sys.stderr)
    return _exit_code(exc)


def _emit(args: argparse.Namespace, value: Any) -> None:
    """Print a command's result; a JSON object says whether it came from the sandbox."""
    if args.json and isinstance(value, dict):
        value = {**value, "sandbox": bool(getattr(args, "sandbox", False))}
    _print(value, args.json)


def _print(value: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(value, ensure_ascii=False, default=str))
    else:
        print(value)


if __name__ == "__main__":
    raise SystemExit(main())
