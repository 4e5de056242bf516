"""Command line: ``python -m karabakh assign | grade | site | datadoc`` (also the ``karabakh`` command).

Each subcommand lives in its own module, which provides
``configure_parser(parser: argparse.ArgumentParser) -> None``; that function adds the
subcommand's options and sets ``func`` (called with the parsed arguments, returning an
exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, one-line help)
COMMANDS = {
    "assign": ("karabakh.assign", "generate exercises/ from solutions/"),
    "grade": ("karabakh.grade", "grade a folder of student submissions into a gradebook"),
    "site": ("karabakh.site", "build the static HTML site of the course"),
    "datadoc": ("karabakh.datadoc", "write docs/data.md from the dataset declarations"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Return the parser with one subparser per available command.

    With ``only``, import and configure that command's module alone (the others are
    listed but not imported: some imports are slow, and ``karabakh grade`` is timed).
    """
    parser = argparse.ArgumentParser(
        prog="karabakh", description="Tools for the Karabakh peacekeeping course."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, description=help_text)
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.configure_parser(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
