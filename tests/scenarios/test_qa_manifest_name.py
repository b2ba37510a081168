"""A manifest saved as scenario.yml or Scenario.YAML: the upload said only 'file not found:
every scenario folder needs a scenario.yaml', though the admin could see a file of (nearly)
that name in the folder they zipped."""

import pytest


@pytest.mark.parametrize("name", ["scenario.yml", "Scenario.YAML", "my-scenario.yaml"])
def test_a_manifest_under_another_name_is_named_with_what_to_rename_it(scenario, name):
    manifest = scenario.path("scenario.yaml")
    manifest.rename(manifest.with_name(name))
    (error,) = scenario.errors()
    assert error.file.endswith("scenario.yaml")
    assert f"found {name}: rename it to scenario.yaml" in error.message


def test_a_folder_without_any_yaml_says_only_that_scenario_yaml_is_missing(scenario):
    scenario.path("scenario.yaml").unlink()
    (error,) = scenario.errors()
    assert error.message == "file not found: every scenario folder needs a scenario.yaml"
