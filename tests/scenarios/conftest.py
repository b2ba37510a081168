"""Fixtures for the scenario validator tests: a writable copy of the minimal fixture bundle."""

import shutil
from pathlib import Path

import pytest

from portfolio.scenarios.errors import ScenarioError, ScenarioInvalid
from portfolio.scenarios.loader import load_scenario_dir
from portfolio.scenarios.schema import Scenario

FIXTURES = Path(__file__).parent / "fixtures"


class ScenarioCopy:
    """A copy of ``fixtures/`` (criteria plus the minimal scenario) to break one thing at a time."""

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self.root = bundle / "minimal"

    def path(self, file: str) -> Path:
        return self.root / file

    def edit(self, file: str, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in a file of the scenario."""
        text = self.path(file).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
        self.path(file).write_text(text.replace(old, new, 1), encoding="utf-8")

    def write(self, file: str, content: str | bytes) -> None:
        path = self.path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    def line(self, file: str, needle: str) -> int:
        """The 1-based line of the only line containing ``needle``."""
        lines = self.path(file).read_bytes().decode("utf-8", "replace").splitlines()
        found = [n for n, line in enumerate(lines, start=1) if needle in line]
        assert len(found) == 1, f"{needle!r} is on lines {found} of {file}"
        return found[0]

    def load(self) -> Scenario:
        return load_scenario_dir(self.root)

    def errors(self) -> list[ScenarioError]:
        """The errors loading the scenario reports (it must fail)."""
        with pytest.raises(ScenarioInvalid) as caught:
            self.load()
        return caught.value.errors


@pytest.fixture
def scenario(tmp_path: Path) -> ScenarioCopy:
    """A fresh, valid copy of the minimal fixture scenario with its criteria file."""
    shutil.copytree(FIXTURES, tmp_path / "bundle")
    return ScenarioCopy(tmp_path / "bundle")
