"""Write the held-out streams (`streams/<id>.json`), the service catalog they need (`catalog.yaml`)
and the dev/test split (`split.json`, by a hash of the stream id, drawn before the first scoring run).

    .venv/bin/python bench/incident/streams_heldout/build.py
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from vendors import BUILDERS, OUT  # noqa: E402

# Registration order numbers the streams (their services' suffix): new modules go last.
MODULES = [
    "streams_alertmanager",
    "streams_cross",
    "streams_incidents",
    "streams_monitors",
    "streams_edges",
    "streams_groups",
]


def split_of(stream_id: str) -> str:
    """dev or test from the stream id alone, so adding a stream never moves another."""
    return "dev" if hashlib.sha256(stream_id.encode()).digest()[0] % 2 == 0 else "test"


def main() -> None:
    for module in MODULES:
        importlib.import_module(module)
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    catalog: list[dict] = []
    split: dict[str, str] = {}
    for n, build in enumerate(BUILDERS, start=1):
        s = build(n)
        (OUT / f"{s.id}.json").write_text(json.dumps(s.dump(), indent=1) + "\n")
        catalog += s.dump()["catalog"]
        split[s.id] = split_of(s.id)
    lines = ["services:"]
    for c in catalog:
        lines.append(f"  - name: {c['name']}")
        if c.get("projects"):
            lines.append(f"    projects: [{', '.join(c['projects'])}]")
        if c.get("labels"):
            lines.append("    labels: {" + ", ".join(f"{k}: {v}" for k, v in c["labels"].items()) + "}")
    (HERE / "catalog.yaml").write_text("\n".join(lines) + "\n")
    (HERE / "split.json").write_text(json.dumps(dict(sorted(split.items())), indent=1) + "\n")
    dev = sum(v == "dev" for v in split.values())
    print(f"{len(split)} streams: {dev} dev, {len(split) - dev} test")


if __name__ == "__main__":
    main()
