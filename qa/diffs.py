"""Line diffs of answer texts, as data: templates escape every line like any other text."""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "hunk", "added", "removed" or "same"
    text: str


KINDS = {"@": "hunk", "+": "added", "-": "removed", " ": "same"}


def line_diff(old, new, context=3):
    """A unified diff of two texts without its file header lines."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), n=context, lineterm=""))
    # The first two lines are the "---"/"+++" file header; a text line may look like one too.
    return [
        DiffLine(KINDS[line[0]], line if line.startswith("@@") else line[1:]) for line in lines[2:]
    ]
