"""The README's examples, run as written: the demo transcript and every command on the demo estate."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _normalized(text: str) -> str:
    return " ".join(text.split())


def test_readme_demo_transcript_and_examples_hold(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    demo = runner.invoke(main, ["demo"])
    assert demo.exit_code == 0, demo.output
    transcript = re.search(r"```text\n\$ originscan demo\n(.*?)```", README, re.S).group(1)
    shown = [line for line in transcript.splitlines() if line.strip() and not line.startswith("⠹")]
    output = _normalized(demo.output)
    for line in shown:
        assert _normalized(line) in output or _normalized(line) in _normalized(transcript), line
    assert _normalized(" ".join(shown[1:])) in output  # the report lines, in order, as the README shows them
    commands = [line for block in re.findall(r"```bash\n(.*?)```", README, re.S) for line in block.splitlines()
                if line.startswith("originscan ") and "originscan-out" in line]
    commands += re.findall(r"(?<!`)`(originscan [^`\n]*originscan-out[^`\n]*)`", README)
    assert len(commands) >= 3
    for command in commands:
        args = shlex.split(command.split("|")[0])[1:]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (command, result.output)
