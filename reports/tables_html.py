"""Tables as one self-contained HTML page: the worklist and the inventory for readers without a spreadsheet.

Cells hold names from scanned sources, so the template escapes everything (autoescape), and the page carries a
Content-Security-Policy that forbids scripts and network access.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape


def render(title: str, frames: dict[str, pd.DataFrame]) -> str:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    sections = [(name.replace("_", " "), list(frame.columns), frame.fillna("").astype(str).values.tolist())
                for name, frame in frames.items()]
    return env.get_template("tables.html.j2").render(title=title, sections=sections)


def write(title: str, frames: dict[str, pd.DataFrame], path: Path) -> Path:
    path.write_text(render(title, frames), encoding="utf-8")
    return path
