"""Split queries.jsonl into dev.jsonl and test.jsonl, stratified by runbook, fixed by a hash.

Within each runbook's queries (ordered by the SHA-1 of their text) they alternate dev, test, dev, ...
(an odd group's extra query goes to dev and test in turn)
so both halves cover every runbook and the split never depends on anyone's choice.
Run once when queries are added; tuning may only look at dev.jsonl. Takes the round's directory
(default: this one), so every held-out round is split the same way: `split.py ../heldout2`.
"""

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    here = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    items = [json.loads(line) for line in (here / "queries.jsonl").read_text().splitlines() if line.strip()]
    groups: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        groups[item["expected"][0]].append(item)
    dev, test = [], []
    offset = 0  # flips after each odd-sized group so the halves stay the same size
    for key in sorted(groups):
        ordered = sorted(groups[key], key=lambda it: hashlib.sha1(it["query"].encode()).hexdigest())
        for i, item in enumerate(ordered):
            (dev if (i + offset) % 2 == 0 else test).append(item)
        offset ^= len(ordered) % 2
    for name, part in (("dev", dev), ("test", test)):
        (here / f"{name}.jsonl").write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in part))
        print(name, len(part))


if __name__ == "__main__":
    main()
