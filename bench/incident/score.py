"""Score dedup and grouping against the labelled replay by driving the real incident-svc.

Publishes every signal of the replay to JetStream (redeliveries with a fresh Nats-Msg-Id, so they
reach the service as a vendor retry past the duplicate window would), waits until every event was
processed, reads incidents back through the HTTP API (list + detail) and the signal -> alert map from
the service's schema, then prints pairwise precision/recall (dedup: signals of one alert) and
pairwise F1 (grouping: alerts of one incident).

    python bench/incident/score.py [--replay bench/incident/replay.jsonl.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_service


def pair_counts(truth: list[str], pred: list[str]) -> tuple[int, int, int]:
    """(true positive pairs, predicted pairs, true pairs) from two labelings of the same items."""

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    return (
        pairs(Counter(zip(truth, pred, strict=True)).values()),
        pairs(Counter(pred).values()),
        pairs(Counter(truth).values()),
    )


def prf(tp: int, predicted: int, actual: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


async def run(replay: Path, rate: float) -> None:
    with gzip.open(replay, "rt") as fh:
        lines = [json.loads(x) for x in fh]
    async with running_service({"INCIDENT_GROUP_INTERVAL_S": "30"}) as bench:
        js = bench.nc.jetstream()
        subject = bench.topology.subject("alert.signal.received")
        started = asyncio.get_running_loop().time()
        for i, line in enumerate(lines):
            body = json.dumps(line["signal"]).encode()
            msg_id = line["signal"]["id"] + ("-redelivered" if line["redelivery"] else "")
            await js.publish(subject, body, headers={"Nats-Msg-Id": msg_id})
            if rate and i % 50 == 0:
                ahead = started + i / rate - asyncio.get_running_loop().time()
                if ahead > 0:
                    await asyncio.sleep(ahead)
        distinct = len({ln["signal"]["id"] for ln in lines})
        pool = await bench.connect_db()
        while await pool.fetchval("SELECT count(*) FROM alert_signals") < distinct:
            await asyncio.sleep(0.5)
        elapsed = asyncio.get_running_loop().time() - started
        signal_alert = {
            r["event_id"]: str(r["alert_id"])
            for r in await pool.fetch("SELECT event_id, alert_id FROM alert_signals")
        }
        await pool.close()
        alert_incident = await read_incidents(bench.url)
    # Dedup: every signal (redeliveries included) labelled by its true alert and by the stored alert.
    truth_d = [ln["problem"] for ln in lines]
    pred_d = [signal_alert[ln["signal"]["id"]] for ln in lines]
    dp, dr, _ = prf(*pair_counts(truth_d, pred_d))
    # Grouping: every true alert, labelled by its true incident and by the incident its stored alert is in.
    problem_alert = {ln["problem"]: signal_alert[ln["signal"]["id"]] for ln in lines}
    problem_truth = {ln["problem"]: ln["incident"] for ln in lines}
    problems = sorted(problem_truth)
    truth_g = [problem_truth[p] for p in problems]
    pred_g = [alert_incident.get(problem_alert[p], f"none:{p}") for p in problems]
    gp, gr, gf = prf(*pair_counts(truth_g, pred_g))
    print(
        f"replay: {len(lines)} signals ({distinct} distinct events), {len(problems)} alerts, "
        f"{len(set(truth_g))} true incidents; service opened {len(set(pred_g))} incidents; "
        f"processed in {elapsed:.1f}s"
    )
    print(f"dedup    pairwise precision {dp:.4f}  recall {dr:.4f}   (targets P>=0.99, R>=0.95)")
    print(f"grouping pairwise precision {gp:.4f}  recall {gr:.4f}  F1 {gf:.4f}   (target F1>=0.90)")


async def read_incidents(url: str) -> dict[str, str]:
    """alert id -> incident id, read through GET /v1/incidents and GET /v1/incidents/{id}."""
    out: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        cursor = None
        ids = []
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = (await http.get("/v1/incidents", params=params)).json()
            ids += [(i["id"], i.get("merged_into")) for i in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        for incident_id, merged in ids:
            detail = (await http.get(f"/v1/incidents/{incident_id}")).json()
            for alert in detail["alerts"]:
                out[alert["id"]] = merged or incident_id
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replay", default=str(Path(__file__).parent / "replay.jsonl.gz"))
    parser.add_argument(
        "--rate", type=float, default=0.0, help="signals/s to publish at (0 = as fast as acked)"
    )
    args = parser.parse_args()
    asyncio.run(run(Path(args.replay), args.rate))


if __name__ == "__main__":
    main()
