"""An HTML report renders without jsonschema (only checking a JSON report against its schema needs it)."""

from __future__ import annotations

from pathlib import Path

from test_startup_imports import imported, stamped_local

__all__ = ["stamped_local"]  # the fixture, shared with the start-up import tests


def test_an_html_report_imports_jinja2_but_not_jsonschema(stamped_local: Path) -> None:
    out = stamped_local / "nova.html"
    code, heavy, _ = imported(stamped_local, "report", "nova", "--format", "html", "--output", str(out))
    assert code == 0 and "jinja2" in heavy
    assert "jsonschema" not in heavy
    assert "<!DOCTYPE html>" in out.read_text(encoding="utf-8")
