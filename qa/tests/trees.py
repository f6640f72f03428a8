"""Repositories written by the tests: {path: text or bytes} into a folder or a .zip."""

import io
import zipfile

from PIL import Image


def write_tree(root, files):
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def zip_bytes(files, wrapper=""):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(
                wrapper + name, content if isinstance(content, bytes) else content.encode()
            )
    return buffer.getvalue()


def png(color="red", size=(4, 4)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()
