"""The translation catalogues: extract the texts from the code, update each language's
``.po``, check them, and merge two versions of one.

    python scripts/catalogue.py update        # after changing texts in the code
    python scripts/catalogue.py check         # what tests/test_catalogue.py checks
    python scripts/catalogue.py add de        # start a new language
    python scripts/catalogue.py merge OURS THEIRS [-o OUT]   # union of two versions' work

Texts are found where the code calls ``_``, ``N_``, ``ngettext`` and ``pgettext``
(:mod:`pos_app.core.i18n`). ``update`` keeps every translation whose English is still in the
code, adds the new English with an empty translation, and drops what the code no longer says.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pos_app"
LOCALE = PACKAGE / "locale"
DOMAIN = "pos_app"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "NP_": ((1, "c"), 2)}
#: Code that never shows its texts to people: the sandboxes and their demo data play the
#: services (their messages are the services' own). The wire modules are scanned: their
#: errors reach the cashier, and their names of the services' fields are not prose.
SKIP = ("*/sandbox.py", "*/seed.py", "pos_app/core/sandbox/*")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)?(?:[:!][^{}]*)?\}")


def _skipped(path: str) -> bool:
    from fnmatch import fnmatch

    rel = "pos_app/" + path.replace("\\", "/")
    return any(fnmatch(rel, pattern) for pattern in SKIP)


def extract() -> Catalog:
    """Every text the code marks for translation, as a template catalogue."""
    template = Catalog(project="pos-app", domain=DOMAIN, charset="utf-8")
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=method_map, keywords=KEYWORDS, comment_tags=("i18n:",),
            strip_comment_tags=True):
        if _skipped(filename):
            continue
        if isinstance(message, tuple) and not message[0]:
            continue
        if not message:
            continue
        template.add(message, None, [(f"pos_app/{filename}", lineno)],
                     auto_comments=comments, context=context)
    return template


def po_path(code: str) -> Path:
    return LOCALE / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path, code: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=code, domain=DOMAIN)


def write(path: Path, catalog: Catalog) -> None:
    out = io.BytesIO()
    write_po(out, catalog, width=100, no_location=False, include_lineno=False,
             ignore_obsolete=True, sort_output=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def _key(message: Message) -> tuple[str, str | None]:
    mid = message.id[0] if isinstance(message.id, tuple) else message.id
    return mid, message.context


def update(codes: Iterable[str] | None = None) -> None:
    """Bring every language's ``.po`` in line with the code."""
    template = extract()
    for code in codes or languages():
        path = po_path(code)
        catalog = read(path, code)
        created = catalog.creation_date  # kept, so that two branches' updates do not clash
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.creation_date = created
        catalog.obsolete.clear()
        write(path, catalog)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} texts, "
              f"{sum(1 for m in catalog if m.id and not _translated(m))} to translate")


def add(code: str) -> None:
    """Start the catalogue of language ``code`` (all texts untranslated)."""
    path = po_path(code)
    if path.exists():
        raise SystemExit(f"{path} exists already")
    catalog = Catalog(locale=code, project="pos-app", domain=DOMAIN, charset="utf-8")
    write(path, catalog)
    update([code])


def _translated(message: Message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text.replace("{{", "")
                                                            .replace("}}", "")))


def check(codes: Iterable[str] | None = None) -> list[str]:
    """Every problem with the catalogues: texts the code has that a catalogue lacks or has not
    translated, entries the code no longer has, fuzzy entries, and translations whose
    placeholders differ from the English."""
    template = extract()
    wanted = {_key(m) for m in template if m.id}
    problems: list[str] = []
    for code in codes or languages():
        path = po_path(code)
        catalog = read(path, code)
        rel = path.relative_to(ROOT)
        have = {_key(m): m for m in catalog if m.id}
        for key in sorted(wanted - have.keys(), key=str):
            problems.append(f"{rel}: missing {key[0]!r}")
        for key in sorted(have.keys() - wanted, key=str):
            problems.append(f"{rel}: stale (the code no longer says it) {key[0]!r}")
        for key, message in have.items():
            if key not in wanted:
                continue
            if message.fuzzy:
                problems.append(f"{rel}: fuzzy {key[0]!r}")
            if not _translated(message):
                problems.append(f"{rel}: untranslated {key[0]!r}")
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = (message.string if isinstance(message.string, tuple | list)
                       else (message.string,))
            if len(ids) > 1 and len(strings) != catalog.num_plurals:
                problems.append(f"{rel}: {key[0]!r} needs {catalog.num_plurals} plural forms")
            english = set(_placeholders(ids[-1])) | set(_placeholders(ids[0]))
            for form in strings:
                if set(_placeholders(form)) - english or (
                        len(ids) == 1 and set(_placeholders(form)) != english):
                    problems.append(f"{rel}: placeholders differ in {key[0]!r}: {form!r}")
                    break
    return problems


PROSE = re.compile(r"[A-Za-z]{2,}[^\n]*\s[A-Za-z]{2,}|^[A-Z][a-z]{2,}[.:!?]?$")
NOT_PROSE = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|PRAGMA|WITH|BEGIN|"
                       r"COMMIT|ROLLBACK|DROP|REPLACE)\b|^https?://|^[\w.-]+/[\w./-]*$"
                       # pieces of an SQL statement: " ORDER BY id", "state IN (?, ?)"
                       r"|\b(?:ORDER|GROUP) BY\b|\bIS (?:NOT )?NULL\b|\bIN \(|\bLIKE \?|= \?")
TRANSLATING = {"_", "N_", "NP_", "ngettext", "pgettext"}
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log"}
#: Errors for programmers, never shown to a cashier.
PROGRAMMER_ERRORS = {"ValueError", "TypeError", "KeyError", "AssertionError", "RuntimeError",
                     "NotImplementedError", "AttributeError", "IndexError", "SystemExit",
                     "LookupError", "OSError"}
#: Calls whose text arguments are names for machines (Qt object names, style sheets, keys,
#: the path segments of a service's address: ``self.http.url("Connection", "Status")``).
MACHINE_CALLS = {"url", "setObjectName", "setStyleSheet", "setProperty", "property", "QKeySequence",
                 "compile", "fullmatch", "match", "search", "sub", "findall", "split",
                 "getenv", "get", "setdefault", "pop", "execute", "executemany",
                 "executescript", "startswith", "endswith", "replace", "strip", "encode",
                 "decode", "strftime", "strptime", "join", "setFormat", "fromisoformat",
                 "QColor", "QFont", "fromString", "Signal",
                 "Slot", "Property", "environ", "setenv"}
SKIP_MARK = "i18n-skip"
#: Calls whose ``what=`` names work for the log or a timeout (``runner.run(..., what="spend
#: limit")``), not for people (``parse_amount(what=...)`` is a label people read).
WORK_CALLS = {"run", "_run", "wait", "wait_until"}
#: Markup that holds no words: HTML tags and entities, placeholders, style sheet rules.
_MARKUP = re.compile(r"<[^<>]*>|&\w+;|\{x\}|\{[\w.]*\}|[\w#*\[\]=\"'.:-]+ ?\{[^{}]*\}")


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def unmarked(root: Path = PACKAGE) -> list[str]:
    """Texts in the code that read like words for people but do not go through the
    catalogue (``file:line: text``). A text that is not for people (a service's value, an
    identifier) is marked with a ``# i18n-skip`` comment on its line."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if _skipped(path.relative_to(PACKAGE).as_posix()) or rel in UNSCANNED:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        found.extend(_Scan(rel, lines).run(tree))
    return found


#: Modules whose texts are not for people: the catalogue machinery itself, and the developer
#: tools that drive the window for screenshots and tests (not shipped).
UNSCANNED = {"pos_app/core/i18n.py", "pos_app/core/formatting.py", "pos_app/qt/drive.py",
             "pos_app/qt/text_fit.py"}


class _Scan(ast.NodeVisitor):
    def __init__(self, rel: str, lines: list[str]) -> None:
        self.rel, self.lines, self.found = rel, lines, []
        self.quiet = 0

    def run(self, tree: ast.AST) -> list[str]:
        self.visit(tree)
        return self.found

    def _docstring(self, node: ast.AST) -> None:
        body = getattr(node, "body", None)
        if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            body[0].value.docstring = True  # type: ignore[attr-defined]

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._docstring(node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._docstring(node)
        self.generic_visit(node)

    def _quietly(self, nodes: Iterable[ast.AST]) -> None:
        self.quiet += 1
        for child in nodes:
            self.visit(child)
        self.quiet -= 1

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        owner = _name(node.func.value) if isinstance(node.func, ast.Attribute) else ""
        if (name in TRANSLATING or name in MACHINE_CALLS or name in PROGRAMMER_ERRORS
                or (name in LOGGING and owner.lower().lstrip("_") in ("log", "logger",
                                                                       "logging", "_log"))
                or (name == "warn" and owner == "warnings")):
            self.visit(node.func)
            self._quietly([*node.args, *(k.value for k in node.keywords)])
            return
        if name in WORK_CALLS and any(k.arg == "what" for k in node.keywords):
            self.visit(node.func)
            for arg in node.args:
                self.visit(arg)
            for k in node.keywords:
                (self._quietly([k.value]) if k.arg == "what" else self.visit(k.value))
            return
        if name == "add_argument" or name == "add_parser":
            self._quietly(node.args)
            for k in node.keywords:
                (self.visit if k.arg in ("help", "description") else
                 lambda n: self._quietly([n]))(k.value)
            self.visit(node.func)
            return
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        self._quietly([node.test] + ([node.msg] if node.msg else []))

    def visit_Compare(self, node: ast.Compare) -> None:
        self._quietly([node.left, *node.comparators])

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.visit(node.value)
        self._quietly([node.slice])

    def visit_Assign(self, node: ast.Assign) -> None:
        # ``__all__`` lists names of the module, never words for people.
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            self._quietly([node.value])
            return
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        self._quietly([k for k in node.keys if k is not None])
        for v in node.values:
            self.visit(v)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
        self._check(node, text)
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                self.visit(v.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and not getattr(node, "docstring", False):
            self._check(node, node.value)

    def _check(self, node: ast.AST, text: str) -> None:
        words = _MARKUP.sub(" ", text)
        if self.quiet or not PROSE.search(words) or NOT_PROSE.search(text):
            return
        first, last = node.lineno, getattr(node, "end_lineno", node.lineno) or node.lineno
        if any(SKIP_MARK in self.lines[i - 1] for i in range(first, last + 1)):
            return
        self.found.append(f"{self.rel}:{first}: {text[:70]!r}")


def merge(ours: Path, theirs: Path, out: Path) -> None:
    """Write the union of two versions of one ``.po`` (ours wins where both translated)."""
    a, b = read(ours), read(theirs)
    for message in b:
        if not message.id:
            continue
        mine = a.get(message.id, message.context)
        if mine is None:
            a[message.id] = message
        elif not _translated(mine) and _translated(message):
            mine.string = message.string
    write(out, a)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update")
    sub.add_parser("check")
    sub.add_parser("unmarked")
    p = sub.add_parser("add")
    p.add_argument("code")
    p = sub.add_parser("merge")
    p.add_argument("ours", type=Path)
    p.add_argument("theirs", type=Path)
    p.add_argument("-o", "--out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
    elif args.command == "add":
        add(args.code)
    elif args.command == "merge":
        merge(args.ours, args.theirs, args.out or args.ours)
    elif args.command == "unmarked":
        lines = unmarked()
        for line in lines:
            print(line)
        print(f"{len(lines)} unmarked texts")
        return 1 if lines else 0
    else:
        problems = check()
        for line in problems:
            print(line)
        print(f"{len(problems)} problems")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
