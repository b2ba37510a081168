"""The scenario file format guide and an example scenario, as the upload page offers them: the
guide is scenarios/FORMAT.md rendered as sanitised Markdown, the example a bundled scenario
folder zipped as a centre would upload it."""

import io
import zipfile
from pathlib import Path

from markupsafe import Markup

from portfolio.library.markdown import render_markdown
from portfolio.scenarios.zipfiles import is_junk

GUIDE_FILE = "FORMAT.md"
#: The bundled scenario offered as the example (the guide's own examples come from it).
EXAMPLE_SLUG = "telecoms-billing"


def render_format_guide(scenarios_dir: str | Path) -> Markup | None:
    """The format guide as safe HTML, or None when the file is not there."""
    path = Path(scenarios_dir) / GUIDE_FILE
    if not path.is_file():
        return None
    return _scrolling_examples(render_markdown(path.read_text(encoding="utf-8"), demote=1))


def _scrolling_examples(html: Markup) -> Markup:
    """Each code example in a keyboard-scrollable region of its own: the YAML examples run to
    160 characters a line, and unwrapped they widened the whole page (1,549px in a 1,280px
    window), so the admin scrolled the page sideways to read any of it."""
    parts = str(html).split("<pre>")
    wrapped = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        code, sep, rest = part.partition("</pre>")
        wrapped.append(
            f'<div class="table-scroll" role="region" aria-label="Example {n}" tabindex="0">'
            f"<pre>{code}{sep}</div>{rest}"
        )
    return Markup("".join(wrapped))


def example_zip(scenarios_dir: str | Path) -> bytes | None:
    """The example scenario's folder as zip bytes, inside its own top folder, or None when the
    folder is not there."""
    root = Path(scenarios_dir) / EXAMPLE_SLUG
    if not (root / "scenario.yaml").is_file():
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and not path.is_symlink() and not is_junk(relative):
                archive.write(path, f"{EXAMPLE_SLUG}/{relative}")
    return buffer.getvalue()
