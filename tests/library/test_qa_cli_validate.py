"""`flask scenarios validate my-scenario.zip` (or a scenario folder kept outside the bundle), as
FORMAT.md suggests before uploading: it reported '"HRCC" is not a unit this app has criteria
for', because it read criteria only beside the paths given, not the app's own."""

import io
import zipfile
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "scenarios" / "telecoms-billing"


def _zip_of(folder: Path, target: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"my-scenario/{path.relative_to(folder).as_posix()}")
    target.write_bytes(buffer.getvalue())
    return target


def test_a_zip_outside_the_bundle_is_checked_against_the_apps_units(runner, tmp_path):
    result = runner.invoke(
        args=["scenarios", "validate", str(_zip_of(EXAMPLE, tmp_path / "s.zip"))]
    )
    assert result.exit_code == 0, result.output
    assert "All scenarios are valid." in result.output


def test_a_folder_outside_the_bundle_is_checked_against_the_apps_units(runner, tmp_path):
    folder = tmp_path / "my-scenario"
    for path in EXAMPLE.rglob("*"):
        if path.is_file():
            target = folder / path.relative_to(EXAMPLE)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    manifest = folder / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("authority_limit: 75", "authority_limt: 75"))
    result = runner.invoke(args=["scenarios", "validate", str(folder)])
    assert result.exit_code == 1
    assert "not a unit this app has criteria for" not in result.output
    assert 'authority_limt: unknown field (did you mean "authority_limit"?)' in result.output
