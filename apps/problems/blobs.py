"""Content-addressed file store for test-case data.

Files live at ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``. Writes go to a temporary file and are
renamed into place, so a reader never sees a half-written blob and a re-import of the same
content is a no-op. Because blobs are immutable and named by content, the benchmark worker
can hand their paths straight to the sandbox.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path


class BlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its sha256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
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
