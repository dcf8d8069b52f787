"""Decoding `array_send(float4[])` for the exact path's matrix, byte for byte as PostgreSQL sends it."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from rag_svc.repository.search import decode_float4_arrays

FLOAT4_OID = 700


def array_send(values: list[float | None]) -> bytes:
    has_nulls = any(v is None for v in values)
    out = struct.pack(">iiiii", 1, int(has_nulls), FLOAT4_OID, len(values), 1)
    for v in values:
        out += struct.pack(">i", -1) if v is None else struct.pack(">if", 4, v)
    return out


def test_rows_decode_to_float32_exactly() -> None:
    matrix = np.random.default_rng(1).standard_normal((5, 384)).astype(np.float32)
    decoded = decode_float4_arrays([array_send(row.tolist()) for row in matrix])
    assert decoded.dtype == np.float32 and decoded.flags.c_contiguous
    assert np.array_equal(decoded, matrix)


@pytest.mark.parametrize(
    "values",
    [
        [array_send([1.0, 2.0]), array_send([1.0, 2.0, 3.0])],
        [array_send([1.0, None, 3.0]), array_send([1.0, None, 3.0])],
    ],
)
def test_ragged_or_null_vectors_are_refused(values: list[bytes]) -> None:
    with pytest.raises(ValueError):
        decode_float4_arrays(values)
