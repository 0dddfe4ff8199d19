"""argparse's own words ("usage:", "options", its error messages) in the chosen language.

argparse looks its texts up through its module globals ``_`` and ``ngettext`` (the stdlib's
gettext, without a catalogue of ours) each time it uses them. :func:`translate_argparse`
points those two at :mod:`pos_app.core.i18n`, so that ``pos-app --help`` and its usage errors
speak the cashier's language; the texts below are argparse's exact English (Python 3.11's
``argparse.py``), marked here so that the catalogue has them. A text a later Python words
differently is simply shown in English.
"""

from __future__ import annotations

import argparse

from pos_app.core.i18n import N_, _, ngettext

#: The texts of argparse.py (3.11) a person can meet with ``pos-app``'s parser (its counted
#: "expected %s arguments" is left out: no argument of ours takes a fixed number).
ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def translate_argparse() -> None:
    """Make argparse's texts go through our catalogue (call before building a parser: its
    "options" heading and ``-h`` help are looked up when the parser is made)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
