"""A bounded LRU of query vectors: the same alert fires again and again, its embedding does not change.

Keyed by the embedder's model id and the exact text the model read, so a model change never serves
a vector of another space. Vectors are read-only (`writeable = False`): a caller cannot corrupt
an entry another search will get.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np


class VectorCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, model: str, text: str) -> np.ndarray | None:
        vector = self._items.get((model, text))
        if vector is None:
            self.misses += 1
            return None
        self._items.move_to_end((model, text))
        self.hits += 1
        return vector

    def put(self, model: str, text: str, vector: np.ndarray) -> None:
        if self.size <= 0:
            return
        vector = vector.copy()
        vector.flags.writeable = False
        self._items[(model, text)] = vector
        self._items.move_to_end((model, text))
        while len(self._items) > self.size:
            self._items.popitem(last=False)
