"""The query-vector LRU: bounded, keyed by model and text, entries read-only."""

from __future__ import annotations

import numpy as np
import pytest
from rag_svc.domain.vector_cache import VectorCache


def test_least_recently_used_entry_goes_first() -> None:
    cache = VectorCache(2)
    cache.put("m", "a", np.ones(3, np.float32))
    cache.put("m", "b", np.zeros(3, np.float32))
    assert cache.get("m", "a") is not None  # a is now the most recent
    cache.put("m", "c", np.ones(3, np.float32))
    assert cache.get("m", "b") is None
    assert cache.get("m", "a") is not None and cache.get("m", "c") is not None
    assert (cache.hits, cache.misses) == (3, 1)


def test_model_is_part_of_the_key_and_entries_are_read_only() -> None:
    cache = VectorCache(4)
    source = np.ones(3, np.float32)
    cache.put("model-a", "disk full", source)
    source[0] = 5.0  # the cache kept its own copy
    assert cache.get("model-b", "disk full") is None
    vector = cache.get("model-a", "disk full")
    assert vector is not None and vector[0] == 1.0
    with pytest.raises(ValueError):
        vector[0] = 2.0


def test_size_zero_stores_nothing() -> None:
    cache = VectorCache(0)
    cache.put("m", "a", np.ones(3, np.float32))
    assert cache.get("m", "a") is None
