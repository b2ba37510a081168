"""Tests for reading uploaded scenario zips safely."""

import io
import os
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.scenarios.errors import ScenarioInvalid
from portfolio.scenarios.loader import (
    files_hash,
    load_criteria,
    load_paths,
    load_scenario_from_files,
    scenario_hash,
)
from portfolio.scenarios.zipfiles import NOT_A_ZIP, read_zip

FIXTURES = Path(__file__).parent / "fixtures"
UNITS = {"MINI": load_criteria(FIXTURES / "criteria" / "mini.yaml")}


def make_zip(
    members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED, prefix: str = ""
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(prefix + name, content)
    return buffer.getvalue()


def fixture_files() -> dict[str, bytes]:
    root = FIXTURES / "minimal"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def rejection(data: bytes, **limits: int) -> str:
    """The single error message ``read_zip`` gives for data."""
    with pytest.raises(ScenarioInvalid) as caught:
        read_zip(data, **limits)
    [error] = caught.value.errors
    return str(error)


def test_valid_zip_round_trips_to_the_same_scenario() -> None:
    files = read_zip(make_zip(fixture_files()))
    assert files == fixture_files()
    scenario = load_scenario_from_files(files, units=UNITS, label="minimal")
    assert scenario.slug == "minimal"
    assert scenario.content_hash == scenario_hash(FIXTURES / "minimal")


def test_a_single_top_folder_is_unwrapped() -> None:
    files = read_zip(make_zip(fixture_files(), prefix="my-scenario/"))
    assert files == fixture_files()


def test_the_scenario_folder_may_sit_deeper() -> None:
    files = read_zip(make_zip(fixture_files(), prefix="outer/inner/"))
    assert files == fixture_files() and files.folder == "outer/inner"
    assert read_zip(make_zip(fixture_files())).folder == ""


def test_two_scenario_folders_are_refused_naming_them() -> None:
    members = {f"a/{n}": c for n, c in fixture_files().items()}
    members |= {f"b/{n}": c for n, c in fixture_files().items()}
    assert rejection(make_zip(members, prefix="two-folders/")) == (
        "upload.zip: the zip must hold exactly one scenario folder, but it holds 2 (each with "
        "its own scenario.yaml): two-folders/a/, two-folders/b/. Zip and upload each scenario "
        "on its own."
    )


def test_files_beside_the_scenario_folder_are_refused_naming_them() -> None:
    members = {f"mine/{n}": c for n, c in fixture_files().items()} | {"notes.txt": b"x"}
    assert rejection(make_zip(members)) == (
        "upload.zip: the zip must hold exactly one scenario folder and nothing beside it: "
        "besides mine/ it holds notes.txt"
    )


def test_a_scenario_yaml_among_the_documents_is_just_a_file() -> None:
    members = fixture_files() | {"documents/scenario.yaml": b"x: 1"}
    files = read_zip(make_zip(members, prefix="mine/"))
    assert files.folder == "mine" and "documents/scenario.yaml" in files


def test_errors_name_each_file_by_its_path_inside_the_zip() -> None:
    members = fixture_files() | {"documents/crm-history.md": b"\xff\xfe bad"}
    files = read_zip(make_zip(members, prefix="my-scenario/"), member_prefix="")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario_from_files(files, units=UNITS, label=files.folder)
    assert {e.file for e in caught.value.errors} == {"my-scenario/documents/crm-history.md"}
    flat = read_zip(make_zip(members), member_prefix="")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario_from_files(flat, units=UNITS, label=flat.folder)
    assert {e.file for e in caught.value.errors} == {"documents/crm-history.md"}
    unsafe = make_zip({"my-scenario/scenario.yaml": b"x", "my-scenario/../a.md": b"x"})
    with pytest.raises(ScenarioInvalid) as caught:
        read_zip(unsafe, label="mine.zip", member_prefix="")
    assert [e.file for e in caught.value.errors] == ["my-scenario/../a.md"]


def test_archiver_junk_is_skipped() -> None:
    members = fixture_files() | {"__MACOSX/._scenario.yaml": b"\x00", ".DS_Store": b"\x00"}
    files = read_zip(make_zip(members, prefix="my-scenario/"))
    assert files == fixture_files()
    assert files_hash(files) == scenario_hash(FIXTURES / "minimal")


@pytest.mark.parametrize("data", [b"hello, not a zip", b"PK\x03\x04" + b"\x00" * 40])
def test_not_a_zip(data: bytes) -> None:
    assert rejection(data) == f"upload.zip: {NOT_A_ZIP}"


def test_an_empty_upload_says_it_is_empty() -> None:
    assert rejection(b"") == (
        "upload.zip: the file is empty (0 bytes): choose the scenario's zip file again"
    )


def test_empty_zip() -> None:
    assert rejection(make_zip({})) == "upload.zip: the zip holds no files"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.md", "paths must stay inside the folder (no ..)"),
        ("documents/../../evil.md", "paths must stay inside the folder (no ..)"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("C:/Windows/evil.md", "absolute paths are not allowed"),
        ("documents\\evil.md", "file names must use / between folders, not \\"),
    ],
)
def test_unsafe_member_names(name: str, message: str) -> None:
    assert (
        rejection(make_zip({"scenario.yaml": b"x", name: b"x"})) == f"upload.zip/{name}: {message}"
    )


def test_every_unsafe_name_is_reported() -> None:
    data = make_zip({"../a.md": b"x", "/b.md": b"x", "ok.md": b"x"})
    with pytest.raises(ScenarioInvalid) as caught:
        read_zip(data)
    assert [e.file for e in caught.value.errors] == ["upload.zip/../a.md", "upload.zip//b.md"]


def test_symlink_member() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("scenario.yaml", b"x")
        link = zipfile.ZipInfo("documents/passwd.md")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    message = rejection(buffer.getvalue())
    assert message == "upload.zip/documents/passwd.md: symbolic links are not allowed"


def test_duplicate_member() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("scenario.yaml", b"one")
        archive.writestr("scenario.yaml", b"two")
    assert rejection(buffer.getvalue()) == "upload.zip/scenario.yaml: appears twice in the zip"


def test_too_many_files() -> None:
    data = make_zip({f"documents/d{i}.md": b"x" for i in range(6)})
    assert rejection(data, max_files=5) == "upload.zip: the zip holds 6 files; the limit is 5"


def test_upload_over_the_size_limit() -> None:
    data = make_zip({"scenario.yaml": os.urandom(5000)})
    assert "the limit is 1,000" in rejection(data, max_upload_bytes=1000)


def test_files_over_the_total_limit() -> None:
    data = make_zip({"a.md": os.urandom(3000), "b.md": os.urandom(3000)})
    assert rejection(data, max_total_bytes=5000) == (
        "upload.zip: the files add up to 6,000 bytes; the limit is 5,000"
    )


def test_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    data = make_zip({"scenario.yaml": b"x", "documents/bomb.md": b"\x00" * 5_000_000})
    assert len(data) < 20_000
    message = rejection(data)
    assert message.startswith("upload.zip/documents/bomb.md: compresses ")
    assert "refused as a possible zip bomb" in message


def test_large_bomb_is_refused_by_its_declared_size_before_reading() -> None:
    data = make_zip({"documents/bomb.md": b"\x00" * 5_000_000})
    message = rejection(data, max_ratio=10_000, max_total_bytes=1_000_000)
    assert message == "upload.zip: the files add up to 5,000,000 bytes; the limit is 1,000,000"


def _patch_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the declared uncompressed size of one member in both zip headers."""
    patched = bytearray(data)
    local = patched.find(b"PK\x03\x04")
    assert patched[local + 30 : local + 30 + len(name)] == name
    struct.pack_into("<I", patched, local + 22, size)
    central = patched.find(b"PK\x01\x02")
    assert patched[central + 46 : central + 46 + len(name)] == name
    struct.pack_into("<I", patched, central + 24, size)
    return bytes(patched)


def test_lying_size_header_is_caught_while_reading() -> None:
    data = make_zip({"bomb.md": b"\x00" * 1_000_000})
    lying = _patch_sizes(data, b"bomb.md", 1000)
    assert rejection(lying) == "upload.zip/bomb.md: is damaged and cannot be read"


def test_encrypted_member() -> None:
    data = bytearray(make_zip({"secret.md": b"x"}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature) + offset
        data[at] |= 0x1
    assert rejection(bytes(data)) == "upload.zip/secret.md: encrypted files are not supported"


def test_zip_on_the_command_line_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "minimal.zip"
    path.write_bytes(make_zip(fixture_files(), prefix="minimal/"))
    criteria = FIXTURES / "criteria" / "mini.yaml"
    result = load_paths([criteria, path])
    assert ([s.slug for s in result.scenarios], result.errors) == (["minimal"], [])
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    [error] = load_paths([criteria, bad]).errors
    assert str(error) == f"bad.zip: {NOT_A_ZIP}"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_read_zip(data: bytes) -> None:
    try:
        read_zip(data)
    except ScenarioInvalid as exc:
        assert exc.errors


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_manifest_text_never_crashes_the_loader(text: str) -> None:
    files = fixture_files() | {"scenario.yaml": text.encode("utf-8", "surrogatepass")}
    try:
        load_scenario_from_files(files, units=UNITS)
    except ScenarioInvalid as exc:
        assert all(e.file.startswith("upload/") for e in exc.errors)
