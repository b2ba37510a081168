"""What changed in an evidence item's content between two submitted versions, for the assessor
who must see what a resubmission changed: which parts (the letter, the root cause, one
knowledge answer), and within each, the lines removed and added, with the words that changed
marked. Pure functions over the snapshot's plain data (evidence.content's shapes)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Parts a reader does not need to see change: the upload's name on disk follows its hash.
HIDDEN_KEYS = frozenset({"stored_name"})
# Keys whose plain spelling would not say what they hold.
LABELS = {"body": "Text", "sha256": "SHA-256 fingerprint", "type": "File type"}
# A word with the spaces after it, so that joining the pieces gives back the text.
_WORDS = re.compile(r"\S+\s*|\s+")
# A time as the snapshot stores it (a case log's real time): shown as a reader writes it.
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?")


@dataclass(frozen=True)
class Line:
    """One line of a part: `op` is "removed", "added" or "changed"; `pieces` are (kind, text)
    with kind "same", "removed" or "added" (a changed line marks its words)."""

    op: str
    pieces: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Part:
    label: str
    lines: list[Line] = field(default_factory=list)


def label_of(key: str) -> str:
    """A content key as a reader would name it: "root_cause" -> "Root cause"."""
    if key in LABELS:
        return LABELS[key]
    words = str(key).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _paragraphs(value) -> list[str]:
    """A scalar's text as its non-empty lines, spaces normalised; a dict or list has none."""
    if isinstance(value, dict | list):
        return []
    if isinstance(value, bool):
        return ["Yes" if value else "No"]
    if isinstance(value, str) and _ISO_TIME.fullmatch(value):
        moment = datetime.fromisoformat(value)
        zone = " UTC" if moment.utcoffset() == timedelta(0) else ""
        return [f"{moment:%-d %b %Y %H:%M}{zone}"]
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    return [line for line in lines if line]


def content_lines(value, label: str = "", in_list: bool = False) -> Iterator[str]:
    """The content as lines a reader can compare, "Label: value", depth first. List items
    take their list's label (not a number), so that an entry added at the top does not make
    every later one look changed."""
    if value is None or value == "" or value == [] or value == {}:
        return
    if isinstance(value, dict):
        shown = {k: v for k, v in value.items() if k not in HIDDEN_KEYS and v not in (None, "")}
        if in_list and shown and all(len(_paragraphs(v)) == 1 for v in shown.values()):
            # An entry of a list (a remedy component, a finding and its source): one line.
            fields = "; ".join(f"{label_of(k)}: {_paragraphs(v)[0]}" for k, v in shown.items())
            yield f"{label} · {fields}" if label else fields
            return
        for key, inner in value.items():
            if key in HIDDEN_KEYS:
                continue
            name = label_of(key)
            yield from content_lines(inner, f"{label} · {name}" if label else name)
    elif isinstance(value, list):
        for inner in value:
            yield from content_lines(inner, label, in_list=True)
    else:
        # A letter or an answer of several paragraphs: a line each, so that one changed
        # paragraph shows as one changed line.
        paragraphs = _paragraphs(value)
        if len(paragraphs) == 1 and label:
            yield f"{label}: {paragraphs[0]}"
        else:
            if label:
                yield f"{label}:"
            yield from paragraphs


def _word_pieces(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(b[j1:j2])))
    return tuple(pieces)


def _lines(old: list[str], new: list[str]) -> list[Line]:
    lines: list[Line] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        # Lines replaced one for one are shown as one line with its words marked; the rest
        # of an uneven replacement as whole lines removed or added.
        paired = min(len(removed), len(added)) if op == "replace" else 0
        for before, after in zip(removed[:paired], added[:paired], strict=True):
            lines.append(Line("changed", _word_pieces(before, after)))
        lines += [Line("removed", (("removed", text),)) for text in removed[paired:]]
        lines += [Line("added", (("added", text),)) for text in added[paired:]]
    return lines


def content_changes(old: dict, new: dict) -> list[Part]:
    """The parts of an item's content that differ between two versions, in the newer
    version's order (a part only the older one had comes last), each with its changed lines.
    Empty when the content is the same."""
    keys = [k for k in new if k not in HIDDEN_KEYS]
    keys += [k for k in old if k not in new and k not in HIDDEN_KEYS]
    parts = []
    for key in keys:
        if old.get(key) == new.get(key):
            continue
        lines = _lines(list(content_lines(old.get(key))), list(content_lines(new.get(key))))
        if lines:
            parts.append(Part(label_of(key), lines))
    return parts
