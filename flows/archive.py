"""The raw archive: every response body kept, content-addressed, so any day can be
re-processed without the network. Files are gzip, named by the body's sha256."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path


class Archive:
    """Content-addressed store under ``root``: <root>/<sha[:2]>/<sha>.gz."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the body with this digest is (or would be) stored."""
        return self.root / sha256[:2] / f"{sha256}.gz"

    def put(self, body: bytes) -> tuple[str, Path]:
        """Store ``body`` (idempotent); return its sha256 and path. Writes are atomic."""
        digest = hashlib.sha256(body).hexdigest()
        path = self.path_for(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(gzip.compress(body, compresslevel=5, mtime=0))
            partial.replace(path)
        return digest, path

    def get(self, sha256: str) -> bytes:
        """The stored body; raises FileNotFoundError when it was never archived."""
        return gzip.decompress(self.path_for(sha256).read_bytes())
