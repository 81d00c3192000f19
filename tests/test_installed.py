"""The package as a user installs it: a non-editable install, its console script, its package data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_every_command_has_help_with_an_example() -> None:
    for command in ("demo", "scan", "classify", "lineage"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output and f"originscan {command}" in result.output


def test_non_editable_install_runs_the_demo_as_a_subprocess(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                              "--target", str(site), str(REPO)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    out = tmp_path / "out"
    # Run from an empty folder with only the installed copy importable: the repo's sources must not leak in.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(site)}
    proc = subprocess.run([str(site / "bin" / "originscan"), "demo", "--out", str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "report.html" in proc.stdout
    document = json.loads((out / "findings.json").read_text())
    assert len(document["findings"]) >= 3
    assert {"selection", "derived_feature"} <= {f["use"] for f in document["findings"]}
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    imported = subprocess.run([sys.executable, "-c", "import scanner; print(scanner.__file__)"], cwd=tmp_path,
                              env=env, capture_output=True, text=True, check=True).stdout
    assert imported.startswith(str(site))


def test_only_originscan_speaks_about_sql_it_cannot_read(tmp_path: Path) -> None:
    script = tmp_path / "onderhoud.sql"
    script.write_text("VACUUM ANALYZE persoon;\nSELECT 1;\n")
    proc = subprocess.run([sys.executable, "-m", "scanner.cli", "lineage", str(script), "--dialect", "postgres"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert "unsupported syntax" not in proc.stderr  # sqlglot's own warning, quoting the SQL
    assert json.loads(proc.stdout)["errors"][0]["line"] == 1
    result = CliRunner().invoke(main, ["--help"])
    assert "Start with the bundled demo" in result.output
