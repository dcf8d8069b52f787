"""Pinned all-MiniLM-L6-v2 vectors: a faster forward pass must give the same embeddings (< 1e-5).

`data/minilm_reference.npy` holds the full 384-float vectors of TEXTS as the first NumPy forward
pass computed them (one text at a time, padded batches, erf GELU): stored chunk vectors stay
comparable with new query vectors only if every later implementation reproduces them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rag_svc.embeddings.minilm import MiniLM

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npy"
_RUNBOOK = (
    "# Disk full\n\nThe root filesystem of a host is above 95% and writes start failing with ENOSPC.\n\n"
    "## Diagnosis\n- `df -h` and `df -i`: bytes or inodes?\n- `du -xh / --max-depth=2 | sort -rh | head`\n"
    "- Deleted files still held open: `lsof +L1`.\n\n## Mitigation\n1. Rotate and compress logs.\n"
    "2. Clear package caches and old container images.\n3. Grow the volume if the trend continues.\n"
)
TEXTS = [
    "This is an example sentence",
    "Each sentence is converted",
    "",  # [CLS] [SEP] only
    "OOM",
    "[FIRING:1] NodeFilesystemAlmostOutOfSpace instance=ip-10-0-3-17:9100 mountpoint=/ fstype=ext4 "
    "(available 3.1%) (node filesystem almost out of space; ip 10 0 3 17 9100)",
    "worker-7: write /var/lib/containerd: no space left on device",
    "Disk full > Diagnosis\n```bash\n# biggest directories\ndu -xh / --max-depth=2 | sort -rh | head -20\n```",
    _RUNBOOK,
    _RUNBOOK * 4,  # over 256 tokens: truncated, every position embedding used
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return np.load(REFERENCE)


def test_single_texts_match_the_reference(minilm: MiniLM, reference: np.ndarray) -> None:
    assert minilm.count_tokens(TEXTS[-1]) == 256
    vectors = np.stack([minilm.encode([t])[0] for t in TEXTS])
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    assert np.abs(vectors - reference).max() < 1e-5


@pytest.mark.parametrize("batch_size", [2, 4, 32])
def test_batches_match_the_reference(minilm: MiniLM, reference: np.ndarray, batch_size: int) -> None:
    vectors = minilm.encode(TEXTS, batch_size=batch_size)
    assert np.abs(vectors - reference).max() < 1e-5
