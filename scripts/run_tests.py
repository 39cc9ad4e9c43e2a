"""Run the whole test suite the way CI does: lint, types, dead and repeated code, the main pytest run, then each
Kivy UI module alone.

Kivy allows one App per process, so every module under tests/ui/ gets its own pytest process. The figures of all
runs are added up into one closing line, and the exit code is non-zero if any step failed or no test ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SDL_VIDEODRIVER", "offscreen")  # no screen in CI: Kivy still renders (llvmpipe)
    env["KIVY_NO_ARGS"] = "1"
    env["KIVY_HOME"] = str(tmp / "kivy-home")
    env["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(tmp / "escpos")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(cmd: list[str], env: dict[str, str]) -> int:
    print(f"\n=== {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL)


def _counts(junit: Path) -> tuple[int, int, int]:
    if not junit.exists():
        return 0, 0, 0
    root = ET.parse(junit).getroot()  # noqa: S314 - our own pytest's output
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = failures = skipped = 0
    for s in suites:
        tests += int(s.get("tests", 0))
        failures += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    return tests - failures - skipped, failures, skipped


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="kiosk-tests-") as tmp_s:
        tmp = Path(tmp_s)
        env = _env(tmp)
        failed_steps: list[str] = []
        if _run([str(VENV_BIN / "ruff"), "check", "."], env):
            failed_steps.append("ruff")
        if _run([str(VENV_BIN / "mypy")], env):
            failed_steps.append("mypy")
        # Dead code: paths, options and the whitelist (scripts/vulture_whitelist.py) are in pyproject.toml.
        if _run([str(VENV_BIN / "vulture")], env):
            failed_steps.append("vulture (dead code)")
        # Repeated code in the product (pyproject.toml's [tool.pylint.similarities]); no other pylint check.
        duplicates = ["--disable=all", "--enable=duplicate-code", "--persistent=n", "--score=n", "kiosk", "kiosk_hub"]
        if _run([str(VENV_BIN / "pylint"), *duplicates], env):
            failed_steps.append("pylint duplicate-code")

        ui_modules = sorted((REPO / "tests" / "ui").glob("test_*.py"))
        runs: list[tuple[str, list[str]]] = [("main", ["tests", "--ignore=tests/ui", *argv])]
        runs += [(m.stem, [str(m.relative_to(REPO)), *argv]) for m in ui_modules]

        passed = failed = skipped = 0
        for name, args in runs:
            junit = tmp / f"junit-{name}.xml"
            rc = _run([str(VENV_BIN / "python"), "-m", "pytest", f"--junitxml={junit}", *args], env)
            p, f, s = _counts(junit)
            passed, failed, skipped = passed + p, failed + f, skipped + s
            if rc not in (0, 5) or (rc == 5 and name == "main"):
                failed_steps.append(f"pytest {name} (exit {rc})")

    if passed + failed == 0:
        failed_steps.append("no test ran")
    for step in failed_steps:
        print(f"FAILED STEP: {step}")
    print(f"\n{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed_steps or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
