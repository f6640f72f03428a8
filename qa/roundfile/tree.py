"""A repository as files: a folder on disk or a .zip of one (GitHub's "Download ZIP" too)."""

import zipfile
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext

from .parse import HistoryError

TEXT_SUFFIXES = {".md", ".markdown"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
FILE_MAX_BYTES = 10 * 1024 * 1024
TOTAL_MAX_BYTES = 500 * 1024 * 1024
FILES_MAX = 50_000


def _wanted(parts):
    if any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return False
    return PurePosixPath(*parts).suffix.lower() in TEXT_SUFFIXES | IMAGE_SUFFIXES


def read_repository(source):
    """{posix path: bytes} of the Markdown and image files in a folder or a .zip (a path, or
    an open binary file). qa.roundfile.plan takes off a folder that wraps everything."""
    if not hasattr(source, "read"):
        path = Path(source)
        if path.is_dir():
            return _read_folder(path)
        if not path.is_file():
            raise HistoryError(
                gettext("%(path)s is neither a folder nor a .zip file.") % {"path": source}
            )
        with path.open("rb") as file:
            return _read_zip(file)
    return _read_zip(source)


def _read_folder(root):
    files, total = {}, 0
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if not path.is_file() or not _wanted(parts):
            continue
        size = path.stat().st_size
        total += size
        _check_sizes(size, total, len(files), "/".join(parts))
        files["/".join(parts)] = path.read_bytes()
    return files


def _read_zip(file):
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError):
        raise HistoryError(gettext("This is not a .zip file, or it is damaged.")) from None
    files, total = {}, 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.filename.startswith("/") or ".." in parts:
                raise HistoryError(
                    gettext("The .zip file names a path outside itself: %(name)s")
                    % {"name": info.filename}
                )
            if not _wanted(parts):
                continue
            total += info.file_size
            _check_sizes(info.file_size, total, len(files), info.filename)
            try:
                files["/".join(parts)] = archive.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
                raise HistoryError(
                    gettext("%(name)s in the .zip file cannot be read: %(error)s")
                    % {"name": info.filename, "error": err}
                ) from None
    return files


def _check_sizes(size, total, count, name):
    if size > FILE_MAX_BYTES:
        raise HistoryError(
            gettext("%(name)s is larger than %(limit)d MB.")
            % {"name": name, "limit": FILE_MAX_BYTES // (1024 * 1024)}
        )
    if total > TOTAL_MAX_BYTES or count >= FILES_MAX:
        raise HistoryError(
            gettext(
                "The repository has more than %(limit)d MB or %(count)d files of Markdown and images."
            )
            % {"limit": TOTAL_MAX_BYTES // (1024 * 1024), "count": FILES_MAX}
        )
