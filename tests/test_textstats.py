"""Whitespace-token counts at ingest equal Python's str.split() on ASCII whitespace."""

import random

import pyarrow as pa

from qualitylab.textstats import whitespace_tokens


def test_token_counts_equal_str_split_on_random_text():
    rng = random.Random(20261128)
    alphabet = ["a", "bc", " ", "  ", "\n", "\t", "\r\n", "\x0b", "\x0c", "é", "中文", "\u00a0"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += [None, "", " ", "one", " lead", "trail ", None]
    got = whitespace_tokens(pa.array(texts)).to_pylist()
    # str.split() also splits on U+00A0; our tokens are separated by ASCII whitespace only
    expected = [None if t is None else len(t.replace("\u00a0", "x").split()) for t in texts]
    assert got == expected


def test_slices_large_strings_and_chunked_arrays():
    texts = ["a b", "c", "", "d e f", None, "g"] * 5
    arr = pa.array(texts)
    expected = [None if t is None else len(t.split()) for t in texts]
    assert whitespace_tokens(arr.slice(3, 7)).to_pylist() == expected[3:10]
    assert whitespace_tokens(arr.cast(pa.large_string())).to_pylist() == expected
    chunked = pa.chunked_array([arr.slice(0, 4), arr.slice(4)])
    assert whitespace_tokens(chunked).to_pylist() == expected
