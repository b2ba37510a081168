"""Reading an uploaded scenario zip into memory, safely.

``read_zip`` never writes to disk. It refuses anything that is not a plain zip of regular files
inside one folder: absolute paths, ``..``, backslashes, drive letters, symlinks, encrypted members,
too many files, too many bytes (the declared sizes are checked first, then the bytes actually read
are counted, so a lying header cannot get past), and members that compress suspiciously well.
"""

import io
import re
import stat
import zipfile
import zlib
from pathlib import PurePosixPath

from portfolio.scenarios.errors import ScenarioError, ScenarioInvalid

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the zip itself
MAX_TOTAL_BYTES = 20 * 1024 * 1024  # all members, uncompressed
MAX_FILES = 200
MAX_RATIO = 100  # uncompressed / compressed, for members large enough to matter
RATIO_FLOOR = 64 * 1024  # smaller members may compress as well as they like
_CHUNK = 64 * 1024

_JUNK = ("__MACOSX", "Thumbs.db", "desktop.ini")


def is_junk(name: str) -> bool:
    """Files an archiver or OS adds (``__MACOSX/``, ``.DS_Store``, dotfiles): skipped everywhere."""
    parts = PurePosixPath(name).parts
    return any(part.startswith(".") and part != ".." or part in _JUNK for part in parts)


def check_member_name(name: str) -> str | None:
    """Why a relative file name is unsafe, or None when it is a plain path inside the folder."""
    if not name or "\x00" in name:
        return "empty or invalid file name"
    if "\\" in name:
        return "file names must use / between folders, not \\"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "absolute paths are not allowed"
    if ".." in PurePosixPath(name).parts:
        return "paths must stay inside the folder (no ..)"
    return None


SCENARIO_FILE = "scenario.yaml"
NOT_A_ZIP = (
    "not a zip file (a .rar or .7z, or another file renamed to .zip, will not open): zip the "
    "scenario folder itself (right-click it, then Send to > Compressed (zipped) folder on "
    "Windows, or Compress on a Mac) and upload that"
)
_LISTED = 5  # names listed in one message before "and N more"


class ZipFiles(dict[str, bytes]):
    """The files of a scenario zip by path inside the scenario folder. ``folder`` is that
    folder's path inside the zip (empty when the files sit at the top), so that errors can name
    each file as the zip holds it."""

    folder: str = ""


def _fail(label: str, message: str, member: str = "") -> ScenarioInvalid:
    return ScenarioInvalid(
        [ScenarioError(f"{label}{member}" if member else label.rstrip("/"), None, "", message)]
    )


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown if len(names) <= _LISTED else f"{shown} and {len(names) - _LISTED} more"


def read_zip(
    data: bytes,
    *,
    label: str = "upload.zip",
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_files: int = MAX_FILES,
    max_ratio: int = MAX_RATIO,
    member_prefix: str | None = None,
) -> ZipFiles:
    """The files of an uploaded zip by path inside its scenario folder, after every safety
    check.

    The scenario folder is the one holding ``scenario.yaml``: at the top of the zip, or inside
    folders (``my-scenario/scenario.yaml``), which are unwrapped; a zip holding two scenario
    folders, or files beside the scenario folder, is refused naming them. Errors about the
    whole zip name it by ``label``; errors about one file name it by its path in the zip after
    ``member_prefix`` (default: the label and a slash). Raises ScenarioInvalid.
    """
    label = label.rstrip("/")
    prefix = f"{label}/" if member_prefix is None else member_prefix
    if len(data) > max_upload_bytes:
        raise _fail(label, f"the upload is {len(data):,} bytes; the limit is {max_upload_bytes:,}")
    if not data:
        raise _fail(label, "the file is empty (0 bytes): choose the scenario's zip file again")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _fail(label, NOT_A_ZIP) from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        _check_members(members, label, prefix, max_total_bytes, max_files, max_ratio)
        members = [info for info in members if not is_junk(info.filename)]
        files: dict[str, bytes] = {}
        total = 0
        for info in members:
            content = _read_member(archive, info, label, prefix, max_total_bytes - total)
            total += len(content)
            files[PurePosixPath(info.filename).as_posix()] = content
    if not files:
        raise _fail(label, "the zip holds no files")
    return _unwrap(files, label)


def _check_members(
    members: list[zipfile.ZipInfo],
    label: str,
    prefix: str,
    max_total: int,
    max_files: int,
    max_ratio: int,
) -> None:
    """Refuse unsafe names, symlinks, encryption, too many files and oversized declared sizes."""
    if len(members) > max_files:
        raise _fail(label, f"the zip holds {len(members)} files; the limit is {max_files}")
    errors: list[ScenarioError] = []
    seen: set[str] = set()
    for info in members:
        name = info.filename
        problem = check_member_name(name)
        if problem is None and info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
            problem = "symbolic links are not allowed"
        if problem is None and info.flag_bits & 0x1:
            problem = "encrypted files are not supported"
        key = PurePosixPath(name).as_posix()
        if problem is None and key in seen:
            problem = "appears twice in the zip"
        if problem is None and info.file_size > RATIO_FLOOR:
            if info.file_size > max_ratio * max(info.compress_size, 1):
                problem = (
                    f"compresses {info.file_size // max(info.compress_size, 1):,} to 1, "
                    f"more than {max_ratio} to 1: refused as a possible zip bomb"
                )
        seen.add(key)
        if problem:
            errors.append(ScenarioError(f"{prefix}{name}", None, "", problem))
    if errors:
        raise ScenarioInvalid(errors)
    declared = sum(info.file_size for info in members)
    if declared > max_total:
        raise _fail(label, f"the files add up to {declared:,} bytes; the limit is {max_total:,}")


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, prefix: str, budget: int
) -> bytes:
    """Read one member, counting the bytes that really come out against its size and the budget."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > info.file_size or size > budget:
                    raise _fail(prefix, "holds more data than its header declares", info.filename)
                chunks.append(chunk)
    except ScenarioInvalid:
        raise
    except NotImplementedError:
        raise _fail(
            prefix, "uses a compression method that is not supported", info.filename
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError):
        raise _fail(prefix, "is damaged and cannot be read", info.filename) from None
    return b"".join(chunks)


def _unwrap(files: dict[str, bytes], label: str) -> ZipFiles:
    """The files inside the zip's one scenario folder (the folder holding ``scenario.yaml``,
    at any depth), by path inside it. Without any ``scenario.yaml``, one top folder shared by
    every file is unwrapped and the loader says what is missing."""
    homes = sorted({PurePosixPath(name).parent.as_posix() for name in files if _is_manifest(name)})
    # A scenario.yaml inside a scenario folder (say among its documents) is just a file.
    homes = ["."] if "." in homes else [h for h in homes if not _inside_any(h, homes)]
    if len(homes) > 1:
        folders = [f"{h}/" for h in homes]
        raise _fail(
            label,
            f"the zip must hold exactly one scenario folder, but it holds {len(homes)} "
            f"(each with its own {SCENARIO_FILE}): {_listed(folders)}. Zip and upload each "
            "scenario on its own.",
        )
    if homes:
        folder = "" if homes[0] == "." else homes[0]
    else:
        tops = {name.split("/", 1)[0] for name in files}
        shared = len(tops) == 1 and all("/" in name for name in files)
        folder = next(iter(tops)) if shared else ""
    if not folder:
        return ZipFiles(files)
    inside = f"{folder}/"
    beside = sorted(name for name in files if not name.startswith(inside))
    if beside:
        raise _fail(
            label,
            f"the zip must hold exactly one scenario folder and nothing beside it: besides "
            f"{inside} it holds {_listed(beside)}",
        )
    unwrapped = ZipFiles({name.removeprefix(inside): content for name, content in files.items()})
    unwrapped.folder = folder
    return unwrapped


def _inside_any(folder: str, folders: list[str]) -> bool:
    return any(folder.startswith(f"{other}/") for other in folders)


def _is_manifest(name: str) -> bool:
    return PurePosixPath(name).name == SCENARIO_FILE
