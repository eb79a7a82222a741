"""A delivered file as bytes: its sha256, compression, and whether it changed while it was read.

The sha256 recorded for a file is always of the bytes actually parsed, in one pass:

- **streamed** (JSONL, CSV, JSON arrays): :meth:`Delivered.stream` gives the content, decompressed
  when it is gzip data, and hashes the file's bytes *as delivered* (the compressed bytes of a
  ``.gz``) while they are read; :meth:`Delivered.digest` reads whatever the parser left to the end.
- **random access** (Parquet, read by DuckDB or pyarrow, which seek): the file is hashed once
  (:meth:`Delivered.digest`) and read by the other reader.

Either way :meth:`Delivered.check_unchanged`, called after the last read, compares the file's size,
``mtime_ns`` and inode with those taken before the first read: another size or inode refuses the
file (:class:`~qualitylab.errors.InvalidInputError`); another mtime alone (a touch) hashes it again
and refuses it only when its bytes differ from those the digest was taken of. A file that changed
while it was read is never stored.

Compression is told from the content, never from the name: gzip is read directly (``.jsonl.gz``,
``.csv.gz``, or a gzipped file under any name); zstd, bzip2, xz and zip are refused with a hint.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InvalidInputError, RowProblem

BUFFER = 1 << 20

#: the leading bytes of content that a line reader cannot read, and what to say about it
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data: decompress it first (gzip is read directly)"),
    (b"BZh", "bzip2-compressed data: decompress it first (gzip is read directly)"),
    (b"\xfd7zXZ\x00", "xz-compressed data: decompress it first (gzip is read directly)"),
    (b"PK\x03\x04", "a zip archive: extract the delivered file first"),
    (b"PAR1", "Parquet data: name the file .parquet"),
    (b"\xff\xfe", "UTF-16 text (a byte-order mark FF FE): save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text (a byte-order mark FE FF): save it as UTF-8"),
)
GZIP_MAGIC = b"\x1f\x8b"


def stat_key(st: os.stat_result) -> tuple[int, int, int, int]:
    """What "the same file, unchanged" means here: size, mtime_ns, inode and device."""
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256 hex, size in bytes) of the file's bytes, read once."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(BUFFER):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class _HashingReader(io.RawIOBase):
    """A raw binary reader that feeds every byte it returns into a sha256."""

    def __init__(self, f: io.FileIO):
        self._f = f
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self._f.readinto(b)
        if n:
            view = memoryview(b)[:n]
            self.sha.update(view)
            self.size += n
        return n or 0

    def close(self) -> None:
        """Read the rest of the file into the hash (a parser may stop early), then close it."""
        if not self.closed:
            try:
                while chunk := self._f.read(BUFFER):
                    self.sha.update(chunk)
                    self.size += len(chunk)
            finally:
                self._f.close()
        super().close()


class DamagedData(Exception):
    """The compressed content ends early or is corrupt (raised while reading :meth:`Delivered.stream`)."""


class _Gunzip(io.RawIOBase):
    """gzip content as a raw stream whose decompression errors become :class:`DamagedData`."""

    def __init__(self, f: BinaryIO):
        self._g = gzip.GzipFile(fileobj=f, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            return self._g.readinto(b)
        except (EOFError, OSError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            raise DamagedData(f"damaged gzip data ({e})") from None


class Delivered:
    """One delivered file. Create it before the first read; see the module docstring."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.name = self.path.name
        self._before = stat_key(os.stat(self.path))
        self._hashing: _HashingReader | None = None
        self._digest: tuple[str, int] | None = None
        self.compressed = False

    @property
    def suffix(self) -> str:
        """The format suffix, a ``.gz`` after it stripped: ``x.jsonl.gz`` -> ``.jsonl``."""
        p = self.path
        if p.suffix.lower() == ".gz":
            p = p.with_suffix("")
        return p.suffix.lower()

    def problem(self, reason: str, line: int | None = None, char: int | None = None) -> InvalidInputError:
        """A refusal of the whole file (``unit`` line)."""
        return InvalidInputError(self.name, [RowProblem(line, None, reason, char)], whole_file=True)

    # -- streamed reading -------------------------------------------------------------------------
    def stream(self) -> BinaryIO:
        """The content as a buffered binary stream (gunzipped when it is gzip data), hashed as read.

        Raises :class:`InvalidInputError` for content no line reader can read (other compressions,
        zip, Parquet, UTF-16). Reading may raise :class:`DamagedData`. One stream per file.
        """
        if self._hashing is not None or self._digest is not None:
            raise RuntimeError(f"{self.name} is already being read")
        self._hashing = _HashingReader(open(self.path, "rb", buffering=0))  # noqa: SIM115 - closed by digest()
        buffered = io.BufferedReader(self._hashing, BUFFER)
        head = buffered.peek(6)[:6]
        if head.startswith(GZIP_MAGIC):
            self.compressed = True
            return io.BufferedReader(_Gunzip(buffered), BUFFER)
        for magic, what in MAGIC:
            if head.startswith(magic):
                self.digest()
                raise self.problem(f"the file holds {what}")
        return buffered

    # -- the digest and the unchanged check -------------------------------------------------------
    def digest(self) -> tuple[str, int]:
        """(sha256, size) of the file as delivered: of the bytes streamed (read to the end first),
        else of one read of the file (random access)."""
        if self._digest is None:
            if self._hashing is not None:
                self._hashing.close()  # reads to the end first
                self._digest = (self._hashing.sha.hexdigest(), self._hashing.size)
            else:
                self._digest = file_digest(self.path)
        return self._digest

    def check_unchanged(self) -> None:
        """Refuse the file when it changed since it was first opened (call after the last read).

        Another size or inode (written to, truncated, replaced) refuses it; another mtime alone
        (touched) hashes it again, and only other bytes refuse it.
        """
        sha, _ = self.digest()
        try:
            now = stat_key(os.stat(self.path))
        except OSError as e:
            raise self.problem(f"the file changed while it was read ({e.strerror})") from None
        if now == self._before:
            return
        what = "size" if now[0] != self._before[0] else "inode" if now[2:] != self._before[2:] else ""
        if what or file_digest(self.path)[0] != sha:
            raise self.problem(
                f"the file changed while it was read (its {what or 'bytes'} changed): it may still be being "
                "written; ingest it again once it is complete"
            )
