"""docs/publishing.md shows each tool's status entry exactly as the emulators hold it after a nightly publish."""

from __future__ import annotations

from pathlib import Path

from publish_samples import HEADING, published, section, stable

DOCS = Path(__file__).resolve().parent.parent / "docs" / "publishing.md"


def test_docs_show_the_entries_the_tools_hold(tmp_path: Path) -> None:
    with published(tmp_path) as entries:
        fresh = section(entries)
        assert entries["local_count"] == 3  # finance, hr and support share the local tool: one entry each
        assert entries["asana"]["status_type"] == "off_track" and entries["local"]["health"] == "red"
    page = DOCS.read_text("utf-8")
    shown = page[page.index(HEADING) :]
    shown = shown[: shown.index("\n## ", len(HEADING))]
    assert stable(shown).rstrip() == stable(fresh).rstrip(), "regenerate the section: python tests/publish_samples.py"
    for marker in ("nova/engineering/", "nova/it/", "nova/sales/", "nova/marketing/", "nova/finance/"):
        assert f"collabsync-status:{marker}2026-12-16" in shown
