"""The provider conformance kit on `local`: faults injected at the adapter's write methods."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabsync.testing.conformance import ProviderConformance, Subject, local_inventory


class TestLocalConformance(ProviderConformance):
    @pytest.fixture
    def subject(self, tmp_path: Path) -> Subject:
        path = tmp_path / "subject.sqlite"
        return Subject(
            settings_toml=f'type = "local"\npath = "{path}"',
            destination={"space": "conformance"},
            inventory=lambda instance: local_inventory(path, instance),
        )
