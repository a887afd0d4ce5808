"""A non-editable install of this tree for the benches: what the README's `pip install .` gives a user (issue 17).

An editable install (`pip install -e .`) adds an import hook to `site` and is started as `python -m collabsync` by the
benches; a user runs the `collabsync` console script of a normal install. bench/rollup.py --installed times both.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

__all__ = ["installed_cli"]


def installed_cli(where: Path) -> list[str]:
    """The console script of a non-editable install of this tree (a wheel, as `pip install .` builds it) in a venv
    made under WHERE, whose dependencies are this environment's (one .pth line): what a user runs."""
    wheels, venv = where / "wheel", where / "installed"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(wheels), str(Path(__file__).resolve().parent.parent)], check=True
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "zz_bench_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", *map(str, wheels.glob("*.whl"))], check=True)
    return [str(venv / "bin" / "collabsync")]
