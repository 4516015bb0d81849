"""``kam init CLIENT --from BASE``: a new client policy layered on a base, with a test file.

The scaffold is deliberately small (a header and ``extends``): everything else is inherited
until the consultant overrides it. It is built so that it validates and its test passes the
moment it is written; the test's expectations are what the policy decides today for an example
account, a starting point to edit into what it *should* decide.

The editor schema is copied next to the policy (``policy.schema.json``) and referenced as
``./policy.schema.json``: a path into the kamcore installation would break on the next
machine, the next virtual environment or the next upgrade, and the folder is committed as is.
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from .common import EXIT_FINDINGS, EXIT_OK, CliError, add_command, print_problems

__all__ = ["add_parser", "run"]

_EXAMPLE = """
kam init hua-mart --from kamcore:base/generic.toml --dir clients/
kam init acme-east --from policies/examples/acme-industrial.toml --currency CNY
"""

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_EXAMPLE_AS_OF = date(2026, 6, 30)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: The editor schema written next to the new policy.
SCHEMA_FILE = "policy.schema.json"


def add_parser(subparsers: Any) -> None:
    """Declare ``kam init``."""
    parser = add_command(
        subparsers,
        "init",
        "scaffold a client policy that extends a base, with a test file",
        "Write DIR/CLIENT.toml (extending BASE) and DIR/CLIENT.test.toml with one example "
        "case. Never overwrites a file.",
        _EXAMPLE,
    )
    parser.add_argument("client", metavar="CLIENT", help="the policy id, e.g. hua-mart")
    parser.add_argument(
        "--from", dest="base", required=True, metavar="BASE", help="base: a path or kamcore:..."
    )
    parser.add_argument("--dir", default=".", help="where to write the files (default: .)")
    parser.add_argument(
        "--currency",
        type=currency_code,
        help="ISO 4217 code such as CNY or USD (default: the base's, else CNY)",
    )
    parser.set_defaults(run=run)


def currency_code(text: str) -> str:
    """argparse type for ``--currency``: three capital letters, as the policy schema wants;
    refused here (exit 2) rather than after building a policy that cannot compile."""
    if _CURRENCY.match(text):
        return text
    upper = text.strip().upper()
    hint = f"; did you mean {upper}?" if _CURRENCY.match(upper) else ""
    raise argparse.ArgumentTypeError(
        f"expected a three-letter ISO 4217 code in capitals such as CNY or USD, got {text!r}" + hint
    )


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else '"' + key.replace('"', '\\"') + '"'


def _reference(target: Path, folder: Path) -> str:
    """``target`` as the new policy refers to it: relative when both live in one project (the
    files move together), absolute when the only common ancestor is the file system root."""
    target, folder = Path(os.path.abspath(target)), Path(os.path.abspath(folder))
    try:
        common = Path(os.path.commonpath([target, folder]))
    except ValueError:  # another drive on Windows
        return target.as_posix()
    if common == Path(common.anchor):
        return target.as_posix()
    return Path(os.path.relpath(target, folder)).as_posix()


def _write_schema(folder: Path) -> Path | None:
    """Copy the policy schema into ``folder`` unless a file of that name is there already
    (it may be the consultant's own, or an older copy they chose to keep); the written path,
    or ``None``."""
    from ..resources import schemas_root

    target = folder / SCHEMA_FILE
    if target.exists():
        return None
    text = schemas_root().joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    with open(target, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return target


def _policy_text(client: str, extends: str, currency: str, folder: Path) -> str:
    from ..policy.values import toml_literal

    title = " ".join(part.capitalize() for part in re.split(r"[-_.]", client) if part)
    return f"""#:schema ./{SCHEMA_FILE}
# Key-account policy for {title}, layered on {extends}.
# Everything the base defines applies. Override an item by writing it again with the same id,
# remove one with `drop = true`. Check: kam validate {client}.toml   Test: kam test {client}.toml

[policy]
id = "{client}"
version = "0.1.0"
description = "Key-account policy for {title}."
labels = {{ en = "{title} key accounts", zh = "{title} 大客户策略" }}  # TODO: the client's names
currency = "{currency}"
extends = [{toml_literal(extends)}]
"""


def _example_case(text: str, name: str, folder: Path) -> list[str]:
    """The example case: one generated account and what the new policy decides for it."""
    from ..engine import Engine
    from ..policy.values import toml_literal
    from ..sample import generate_accounts

    account = {k: v for k, v in generate_accounts(1, seed=11)[0].items() if v is not None}
    account["id"] = "EXAMPLE-1"
    engine = Engine.from_text(text, name=name, base_dir=folder)
    result = engine.evaluate_portfolio([account], as_of=_EXAMPLE_AS_OF)
    lines = [
        "",
        "[[tests]]",
        'id = "example-account"',
        'description = "A generated account; the expectations are what the policy decided '
        'when this file was written."',
        f"as_of = {_EXAMPLE_AS_OF.isoformat()}",
        "",
        "[tests.account]",
        *(f"{_key(k)} = {toml_literal(v)}" for k, v in account.items()),
        "",
        "[tests.expect]",
    ]
    if result.errors:
        reason = result.errors[0]["reason"]
        return [*lines, f"# the policy rejects this account: {reason}", "error = true"]
    e = result.evaluations[0]
    expect: dict[str, Any] = {
        "tier": e["tier"],
        "stage": (e["stage"] or {}).get("value"),
        "risk": (e["risk"] or {}).get("band"),
        "alerts": [a["id"] for a in e["alerts"]],
        "tactics": [t["id"] for t in e["tactics"]],
    }
    return lines + [f"{k} = {toml_literal(v)}" for k, v in expect.items() if v is not None]


def run(args: argparse.Namespace) -> int:
    """Write the policy and its test file; refuse to overwrite either."""
    from ..errors import KamcoreError, PolicyError
    from ..policy import load_policy
    from .common import is_package_spec, resolve_policy

    client = args.client
    if not _ID.match(client):
        raise CliError(f"CLIENT must be a lower-case id such as `hua-mart`, got {client!r}")
    folder = Path(args.dir)
    policy_file = folder / f"{client}.toml"
    test_file = folder / f"{client}.test.toml"
    for path in (policy_file, test_file):
        if path.exists():
            raise CliError(f"{path} already exists; not overwriting it", EXIT_FINDINGS)
    base_path = resolve_policy(args.base)
    if not Path(base_path).is_file():
        raise CliError(f"base policy not found: {args.base}")
    try:
        base = load_policy(base_path)
    except PolicyError as exc:
        print_problems(exc.problems)
        message = f"the base {args.base} has problems; fix them first"
        raise CliError(message, EXIT_FINDINGS) from None
    extends = args.base if is_package_spec(args.base) else _reference(Path(args.base), folder)
    currency = args.currency or base.data.get("policy", {}).get("currency") or "CNY"
    text = _policy_text(client, extends, currency, folder)
    try:
        case = _example_case(text, str(policy_file), folder)
    except KamcoreError as exc:
        raise CliError(f"the new policy does not build: {exc}", EXIT_FINDINGS) from None
    tests = [
        f"# Test cases for {client}.toml; run them with `kam test {test_file.as_posix()}`.",
        f'policy = "{client}.toml"',
        *case,
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for path, content in ((policy_file, text), (test_file, "\n".join(tests) + "\n")):
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(content)
    print(f"created {policy_file}")
    print(f"created {test_file}")
    schema = _write_schema(folder)
    if schema is not None:
        print(f"created {schema} (for editors: completion and checks while typing)")
    print(f"next: kam validate {policy_file.as_posix()} && kam test {test_file.as_posix()}")
    return EXIT_OK
