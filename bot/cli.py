"""The `toimintamalli` command: one console script, a subcommand per job (see README)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


def _t(key: str) -> str:
    from bot.texts import text

    return text("cli", key)


def _ask(args: argparse.Namespace) -> int:
    from bot.cli_ask import run_ask

    return run_ask(args.question, as_json=args.json)


def _chat(args: argparse.Namespace) -> int:
    from bot.terminal import run_chat

    return run_chat(as_json=args.json)


def _kb(args: argparse.Namespace) -> int:
    from bot.cli_kb import run_kb

    return run_kb(args.kb_command, as_json=args.json)


def _check(args: argparse.Namespace) -> int:
    from bot.cli_check import run_check

    return run_check(args.file, as_json=args.json)


def _serve(args: argparse.Namespace) -> int:
    from bot.slack.server import run_serve

    return run_serve(port=args.port)


def _socket(args: argparse.Namespace) -> int:
    from bot.slack.server import run_socket

    return run_socket()


def _teams(args: argparse.Namespace) -> int:
    if args.teams_command == "package":
        from bot.teams.manifest import run_package

        return run_package(args.out)
    try:
        from bot.teams.server import run_teams
    except ImportError:  # the extra [teams] is not installed
        print(_t("teams_missing"), file=sys.stderr)
        return 2
    return run_teams(port=args.port)


def _reminders(args: argparse.Namespace) -> int:
    from bot.cli_reminders import run_reminders

    return run_reminders(args.reminders_command, now=args.now, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toimintamalli",
        description=_t("description"),
    )
    sub = parser.add_subparsers(dest="command", metavar=_t("command_metavar"))

    def add(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.set_defaults(handler=handler)
        return cmd

    chat = add("chat", _chat, _t("chat"))
    chat.add_argument("--json", action="store_true", help=_t("chat_json"))
    ask = add("ask", _ask, _t("ask"))
    ask.add_argument("--json", action="store_true", help=_t("ask_json"))
    ask.add_argument("question", nargs="*", help=_t("ask_question"))
    check = add("check", _check, _t("check"))
    check.add_argument("--json", action="store_true")
    check.add_argument("file")
    serve = add("serve", _serve, _t("serve"))
    serve.add_argument("--port", type=int, default=None)
    add("socket", _socket, _t("socket"))
    teams = add("teams", _teams, _t("teams"))
    teams.add_argument("teams_command", nargs="?", choices=["package"], help=_t("teams_command"))
    teams.add_argument("--port", type=int, default=None)
    teams.add_argument("--out", default="toimintamalli-teams.zip", help=_t("teams_out"))
    rem = add("reminders", _reminders, _t("reminders"))
    rem.add_argument("reminders_command", choices=["send", "list"])
    rem.add_argument("--now", default=None, help=_t("reminders_now"))
    rem.add_argument("--json", action="store_true")
    kb = add("kb", _kb, _t("kb"))
    kb.add_argument("kb_command", choices=["list", "validate", "feedback"])
    kb.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: one Finnish line, never a traceback
        from bot.errors import describe

        print(describe(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
