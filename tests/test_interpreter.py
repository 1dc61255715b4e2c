"""The server and the tests run on the newest CPython the machine offers (README, "Python"), and Dredd's
hooks handler still finds the ``imp`` it imports."""

import pyexpat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version_of(python: str) -> tuple[int, int]:
    out = subprocess.run(
        [python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, check=True
    ).stdout
    major, minor = out.split()
    return int(major), int(minor)


def test_the_virtualenv_runs_the_newest_python_the_machine_offers():
    newest = subprocess.run([str(ROOT / "bin" / "find-python")], capture_output=True, text=True, check=True).stdout
    assert sys.version_info[:2] == version_of(newest.strip())
    assert sys.version_info[:2] >= (3, 13), sys.version


def test_the_xml_parser_is_past_the_expat_releases_with_published_cves():
    version = tuple(int(part) for part in pyexpat.EXPAT_VERSION.removeprefix("expat_").split("."))
    assert version >= (2, 6, 3), pyexpat.EXPAT_VERSION


def test_dredd_hooks_load_through_the_imp_stand_in(tmp_path):
    hook = tmp_path / "hooks.py"
    hook.write_text("VALUE = 42\n")
    code = f"import imp; print(imp.load_source('hooks.py', {str(hook)!r}).VALUE)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "dredd" / "compat")},
    ).stdout
    assert out.strip() == "42"
    import_handler = "import dredd_hooks.dredd"  # the handler Dredd starts imports `imp` at its top
    subprocess.run(
        [sys.executable, "-c", import_handler], check=True, env={"PYTHONPATH": str(ROOT / "dredd" / "compat")}
    )
