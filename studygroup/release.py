"""A release identifier computed from the code, for deploys that do not name one."""

import hashlib

# Everything a rendered page depends on besides the data: code, templates, translations.
RELEASE_FILES = ["qa/**/*.py", "studygroup/*.py", "templates/**/*.html", "locale/**/*.mo"]


def code_release(base_dir):
    """A short digest of the files that shape StudyBoard's pages, names and contents."""
    digest = hashlib.sha256()
    for pattern in RELEASE_FILES:
        for path in sorted(base_dir.glob(pattern)):
            digest.update(str(path.relative_to(base_dir)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
