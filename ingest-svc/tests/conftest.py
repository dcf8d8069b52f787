"""ingest-svc tests: puts this directory on sys.path so test modules import their helper modules
(ingest_testkit.py, metrics_testkit.py) by name under --import-mode=importlib."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
