"""Text statistics computed once, at ingest: whitespace-token counts, vectorised over Arrow buffers.

DuckDB's regexp_split and Arrow's utf8_split_whitespace allocate a list per row and dominate ingest
time on long texts; counting token starts over the raw UTF-8 bytes with numpy is one pass per
column and needs no per-row Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _is_space(data: np.ndarray) -> np.ndarray:
    """ASCII whitespace bytes: space, \\t, \\n, \\v, \\f, \\r (comparisons beat a lookup table)."""
    return (data == 32) | ((data >= 9) & (data <= 13))


def whitespace_tokens(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Number of maximal runs of non-whitespace bytes in each string (None stays None).

    Equals ``len(s.split())`` for text whose whitespace is ASCII (Unicode spaces such as U+00A0
    count as part of a token).

    >>> whitespace_tokens(pa.array(["a b  c", "", "  x\\n", None])).to_pylist()
    [3, 0, 1, None]
    """
    if isinstance(arr, pa.ChunkedArray):
        chunks = [whitespace_tokens(c) for c in arr.chunks]
        return pa.concat_arrays(chunks) if chunks else pa.array([], pa.int32())
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
        off_type: type[np.signedinteger[Any]] = np.int64
    else:
        arr = arr.cast(pa.string())
        off_type = np.int32
    n = len(arr)
    if n == 0:
        return pa.array([], pa.int32())
    validity, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=off_type, count=n + 1 + arr.offset)[arr.offset :]
    start, end = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buf, dtype=np.uint8, count=end)[start:end] if end > start else np.empty(0, np.uint8)
    offsets = (offsets - start).astype(np.int64)
    is_word = ~_is_space(data)
    # a token starts where a non-space byte follows a space byte or a string boundary
    starts = is_word.copy()
    if len(data) > 1:
        starts[1:] &= ~is_word[:-1]
    lengths = np.diff(offsets)
    nonempty = lengths > 0
    first = offsets[:-1][nonempty]
    starts[first] = is_word[first]  # the first byte of each string starts a token if non-space
    counts = np.zeros(n, dtype=np.int32)
    if len(data):
        idx = offsets[:-1][nonempty]
        counts[nonempty] = np.add.reduceat(starts.view(np.uint8), idx, dtype=np.int64)
    mask = None if arr.null_count == 0 else pc.is_null(arr).to_numpy(zero_copy_only=False)
    return pa.array(counts, pa.int32(), mask=mask)
