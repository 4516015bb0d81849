"""The main job on bundled data: evaluate a generated sample portfolio with the complete example
policy, print a portfolio summary and write the evaluations as JSON Lines.

    python -m kamcore.demo [--policy FILE] [--accounts N] [--as-of YYYY-MM-DD] [-o FILE]

The ``kam`` command line supersedes this with real input files; this module exists so a fresh
clone shows what kamcore does with one command and no data of your own.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .engine import Engine
from .models import evaluation_json
from .resources import policies_root
from .sample import generate_accounts

__all__ = ["main", "summary"]

_RISK_ORDER = {"high": 0, "medium": 1, "low": 2, None: 3}


def summary(evaluations: Sequence[dict[str, Any]], errors: Sequence[dict[str, Any]]) -> str:
    """A portfolio summary: accounts by tier, stage and risk, and the key accounts most at
    risk with their tactics."""
    lines = [f"{len(evaluations)} accounts evaluated, {len(errors)} rejected"]
    for title, key in (("tier", "tier"), ("stage", "stage"), ("risk", "risk")):

        def value(e: dict[str, Any], key: str = key) -> Any:
            v = e[key]
            return v.get("value", v.get("band")) if isinstance(v, dict) else v

        counts = Counter(value(e) for e in evaluations)
        lines.append(
            f"by {title}: " + ", ".join(f"{k}={n}" for k, n in sorted(counts.items(), key=str))
        )
    at_risk = sorted(
        (e for e in evaluations if e["tier"] == "KA" and e["risk"] and e["risk"]["band"] != "low"),
        key=lambda e: (_RISK_ORDER[e["risk"]["band"]], -(e["risk"]["score"] or 0), e["account_id"]),
    )
    lines.append(f"key accounts at risk: {len(at_risk)}")
    for e in at_risk[:10]:
        tactics = ", ".join(t["id"] for t in e["tactics"]) or "none"
        alerts = ", ".join(a["id"] for a in e["alerts"])
        lines.append(
            f"  {e['account_id']}  risk {e['risk']['band']} ({e['risk']['score']})  "
            f"alerts: {alerts}  tactics: {tactics}"
        )
    for error in errors[:10]:
        lines.append(
            f"  rejected row {error['row']} ({error['account_id']}): "
            f"{error['where']}: {error['reason']}"
        )
    return "\n".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the main job; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m kamcore.demo", description=__doc__)
    default_policy = str(policies_root().joinpath("examples").joinpath("acme-industrial.toml"))
    parser.add_argument("--policy", default=default_policy, help="policy file")
    parser.add_argument("--accounts", type=int, default=300, help="sample portfolio size")
    parser.add_argument("--as-of", default="2026-06-30", help="evaluation date")
    parser.add_argument("-o", "--output", default="out/evaluations.jsonl", help="JSON Lines out")
    args = parser.parse_args(argv)
    engine = Engine.from_policy(args.policy)
    result = engine.evaluate_portfolio(generate_accounts(args.accounts), as_of=args.as_of)
    _write_atomically(Path(args.output), "".join(evaluation_json(e) + "\n" for e in result))
    print(f"policy {engine.id} {engine.version} ({engine.content_hash[:19]}…)")
    print(summary(result.evaluations, result.errors))
    print(f"evaluations written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
