"""Content-addressed file store for test-case data.

Files live at ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``. Writes go to a temporary file and are
renamed into place, so a reader never sees a half-written blob and a re-import of the same
content is a no-op. Because blobs are immutable and named by content, the benchmark worker
can hand their paths straight to the sandbox.
"""
from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path


class BlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._root = str(self.root)
        # Fan-out folders known to exist. An import writes ~240K blobs; one mkdir and one
        # random temporary name per blob cost more than the write itself on a busy disk.
        self._folders: set[str] = set()

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its sha256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        folder = os.path.join(self._root, digest[:2], digest[2:4])
        target = os.path.join(folder, digest)
        if folder in self._folders:
            if os.path.exists(target):
                return digest
        else:
            if os.path.exists(target):
                self._folders.add(folder)
                return digest
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        # The name is unique per process and thread, and O_EXCL refuses a leftover from a crash.
        tmp = os.path.join(folder, f".tmp-{os.getpid()}-{threading.get_ident()}-{digest[:16]}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileExistsError:  # left over by a crashed writer with the same pid and thread id
            os.unlink(tmp)
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:  # the folder was removed since we cached it
            os.makedirs(folder, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            os.fchmod(fd, 0o644)  # the sandbox reads blobs as another user, whatever the umask
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def open(self, sha256: str):
        return self.path(sha256).open("rb")


@lru_cache(maxsize=4)
def _store_for(root: str) -> BlobStore:
    return BlobStore(root)


def blob_store() -> BlobStore:
    """The project's blob store, rooted at settings.BLOB_ROOT."""
    from django.conf import settings

    return _store_for(str(settings.BLOB_ROOT))
