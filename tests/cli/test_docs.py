"""The command examples in docs/cli.md and the README run and exit as documented.

Every ```console block's ``$ ...`` lines are run in order, with bash, in one scratch folder per
document holding a copy of samples/ and policies/ (so examples can write files and read each
other's output). A command must exit 0 unless the block is preceded by an HTML comment
``<!-- cli-test: exit=N -->``; other lines of a block are sample output and are not compared.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import ROOT
from .conftest import KAM

DOCUMENTS = [ROOT / "docs" / "cli.md", ROOT / "README.md"]
_BLOCK = re.compile(
    r"(?:<!--\s*cli-test:\s*exit=(?P<exit>\d+)\s*-->\s*\n)?```console\n(?P<body>.*?)```", re.S
)


@dataclass
class Example:
    line: int
    command: str
    status: int


def examples(document: Path) -> list[Example]:
    """The commands of ``document``'s console blocks, with their expected exit status."""
    text = document.read_text(encoding="utf-8")
    found: list[Example] = []
    for block in _BLOCK.finditer(text):
        status = int(block["exit"] or 0)
        first = text.count("\n", 0, block.start("body")) + 1
        lines = block["body"].splitlines()
        i = 0
        while i < len(lines):
            if lines[i].startswith("$ "):
                start, command = i, lines[i][2:]
                while command.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    command = command[:-1] + " " + lines[i].strip()
                found.append(Example(first + start, command, status))
            i += 1
    return found


def test_the_documents_have_examples() -> None:
    assert len(examples(DOCUMENTS[0])) >= 15
    assert all(e.command.startswith("kam ") for d in DOCUMENTS for e in examples(d))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_documented_commands_run(document: Path, workdir: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(KAM).parent}{os.pathsep}{os.environ['PATH']}"}
    failures = []
    for example in examples(document):
        done = subprocess.run(
            ["bash", "-c", example.command],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != example.status:
            failures.append(
                f"{document.name}:{example.line}: `{example.command}` exited "
                f"{done.returncode}, expected {example.status}\n{done.stdout}{done.stderr}"
            )
    assert not failures, "\n".join(failures)
