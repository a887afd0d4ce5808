"""The wheel installs everything under `collabsync.` and nothing generic at the top of site-packages."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_layout(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    wheel = next(tmp_path.glob("collabsync-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top == {"collabsync", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    for needed in (
        "collabsync/cli.py",
        "collabsync/providers/base.py",
        "collabsync/providers/local.py",
        "collabsync/templates/product-launch.yaml",
        "collabsync/templates/customer-onboarding.yaml",
        "collabsync/templates/collaboration-program.yaml",
        "collabsync/schemas/template.schema.json",
        "collabsync/testing/core.py",
        "collabsync/__main__.py",
    ):
        assert needed in names, needed
    for init in ROOT.glob("collabsync/*/__init__.py"):  # every subpackage is listed in pyproject
        assert f"collabsync/{init.parent.name}/__init__.py" in names, init
    cli = zipfile.ZipFile(wheel).read("collabsync/cli.py").decode()
    assert cli == (ROOT / "cli.py").read_text()  # the symlink ships as the real file
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "collabsync = collabsync.cli:main" in meta and "[collabsync.providers]" in meta and "[pytest11]" in meta
