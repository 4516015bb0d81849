"""The wheel carries the schemas and policies, and an installed kamcore finds them.

In the repository ``schemas/`` and ``policies/`` sit at the top level; the wheel force-includes
them under ``kamcore/_data/``. A source checkout cannot tell whether that mapping works, so this
test builds the wheel, installs it into a fresh virtual environment (no system site-packages, run
from a directory outside the repository) and reads the files back through
:mod:`kamcore.resources`, asserting that they come from site-packages.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DEPENDENCIES = ("pluggy", "pydantic", "jsonschema")

# Runs inside the fresh environment; prints what it found as JSON for the assertions below.
PROBE = """
import json, sys, sysconfig
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

import kamcore
from kamcore.resources import policies_root, read_schema, schema_names, schemas_root

generic = policies_root().joinpath("base", "generic.toml")
print(json.dumps({
    "site": str(Path(sysconfig.get_paths()["purelib"]).resolve()),
    "kamcore": str(Path(kamcore.__file__).resolve()),
    "schemas_root": str(Path(str(schemas_root())).resolve()),
    "policies_root": str(Path(str(policies_root())).resolve()),
    "generic": str(Path(str(generic)).resolve()),
    "schema_names": schema_names(),
    "policy_schema": read_schema("policy").get("$schema"),
    "account_schema_id": read_schema("account").get("$id"),
    "generic_keys": sorted(tomllib.loads(generic.read_text(encoding="utf-8"))),
}))
"""


def _env() -> dict[str, str]:
    """The current environment minus anything that would leak the repository or this venv in
    (pip's own settings such as an index or a wheel cache stay: they make installs work)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: float) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def _build_wheel(work: Path) -> Path:
    args = [sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist")]
    if importlib.util.find_spec("hatchling") is not None:
        args.append("--no-isolation")  # the backend is already here: no download needed
    _run([*args, str(ROOT)], cwd=work, timeout=60)
    wheels = list((work / "dist").glob("kamcore-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _check_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in zf.read(metadata).decode("utf-8").splitlines()
            if line.startswith("Requires-Dist:")
        ]
    for kind in ("schemas", "policies"):
        shipped = {
            f"kamcore/_data/{kind}/{p.relative_to(ROOT / kind).as_posix()}"
            for p in (ROOT / kind).rglob("*")
            if p.is_file()
        }
        assert shipped, f"{kind}/ is empty in the repository"
        missing = sorted(shipped - names)
        assert not missing, f"files missing from the wheel: {missing}"
    for dependency in DEPENDENCIES:
        assert any(r.startswith(dependency) for r in requires), (dependency, requires)


def _is_inside(path: str, directory: str) -> bool:
    return Path(path).is_relative_to(directory)


def test_installed_wheel_finds_schemas_and_policies() -> None:
    with tempfile.TemporaryDirectory(prefix="kamcore-wheel-") as tmp:
        work = Path(tmp)
        wheel = _build_wheel(work)
        _check_wheel_contents(wheel)

        venv = work / "venv"
        _run([sys.executable, "-m", "venv", str(venv)], cwd=work, timeout=60)
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "--retries", "2", str(wheel)],
            cwd=work,
            timeout=120,
        )
        probe = work / "probe.py"
        probe.write_text(PROBE, encoding="utf-8")
        found = json.loads(_run([str(python), str(probe)], cwd=work, timeout=60))

    site = found["site"]
    repo = str(ROOT)
    for key in ("kamcore", "schemas_root", "policies_root", "generic"):
        assert _is_inside(found[key], site), (key, found[key], site)
        assert not _is_inside(found[key], repo), (key, found[key])
    assert found["schemas_root"].endswith(os.path.join("kamcore", "_data", "schemas"))
    assert {"account", "evaluation", "policy"} <= set(found["schema_names"])
    assert found["policy_schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert found["account_schema_id"] == "https://kamcore.dev/schemas/account.schema.json"
    assert "policy" in found["generic_keys"]
