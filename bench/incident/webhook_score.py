"""Score dedup and grouping on vendor *webhooks*: through the normalizers, not around them.

`score.py` publishes synthetic AlertSignals straight to JetStream, so a normalizer that put the wrong
field into external_id, status, alert_name or service was invisible to it. Here labelled vendor
webhook payloads (`webhook_gen.py`, templated from the real fixtures in tests/fixtures/webhooks) are
signed each vendor's way and posted to a real `python -m ingest_svc`, whose signals flow into a real
`python -m incident_svc`; incidents are read back through the API and scored with score.py's
functions: dedup pairwise precision/recall over every alert in every delivery (redeliveries
included), grouping pairwise F1 over the true alerts.

Each delivery's signals are found by their causation id (the delivery id ingest-svc answered with) on
the signal subject; an Alertmanager group's alerts by their labels. A delivery whose signal never
appears (dropped, or normalized to nothing) counts as an alert of its own: it costs recall.

    python bench/incident/webhook_score.py [--seed 7] [--problems 600] [--rate 150]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from ingest_svc.domain.sources import SOURCES

sys.path.insert(0, str(Path(__file__).parent))
from harness import Bench, running_service
from harness import running_ingest as harness_ingest
from score import pair_counts, prf, read_incidents
from webhook_gen import SERVICES, VENDORS, Delivery, generate

SECRET = "bench-webhook-secret"
# What an operator would put in the catalog: Sentry projects and CloudWatch's ECS service dimension.
CATALOG = "services:\n" + "".join(
    f"  - name: {s}\n    projects: [{s}-web]\n    labels: {{ServiceName: {s}}}\n" for s in SERVICES
)


def running_ingest(bench: Bench, catalog: Path) -> contextlib.AbstractAsyncContextManager[int]:
    return harness_ingest(
        bench,
        {"EM_SERVICE_CATALOG": str(catalog), **{f"EM_WEBHOOK_SECRET_{v.upper()}": SECRET for v in VENDORS}},
    )


def _request(d: Delivery) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(d.body).encode()
    headers = {"Content-Type": "application/json", **d.headers}
    headers.update(SOURCES[d.source].scheme.sign(SECRET, raw, time.time()))
    return raw, headers


async def _states(url: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        cursor = None
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = (await http.get("/v1/incidents", params=params)).json()
            out += page["items"]
            if not (cursor := page.get("next_cursor")):
                return out


def _labels_key(labels: dict[str, str]) -> str:
    return json.dumps(labels, sort_keys=True)


async def run(seed: int, problems: int, rate: float, concurrency: int, explain: bool = False) -> None:
    start = datetime.now(UTC) - timedelta(hours=14)
    deliveries = generate(seed, problems, 12.0, start)
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp) / "catalog.yaml"
        catalog.write_text(CATALOG)
        async with (
            running_service({"INCIDENT_GROUP_INTERVAL_S": "30"}) as bench,
            running_ingest(bench, catalog) as port,
        ):
            signals: dict[str, dict[str, str]] = {}  # delivery id -> {labels key or "": signal id}

            async def on_signal(msg) -> None:  # type: ignore[no-untyped-def]
                s = json.loads(msg.data)
                key = _labels_key(s["labels"]) if s["vendor"] == "alertmanager" else ""
                signals.setdefault(s["causation_id"], {})[key] = s["id"]

            sub = await bench.nc.subscribe(bench.topology.subject("alert.signal.received"), cb=on_signal)
            answers: list[dict[str, str] | None] = [None] * len(deliveries)
            statuses: Counter[int] = Counter()
            gate = asyncio.Semaphore(concurrency)
            posted = time.perf_counter()
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:

                async def post(i: int, d: Delivery) -> None:
                    raw, headers = _request(d)
                    async with gate:
                        for _ in range(20):  # 503 + Retry-After under load: retry as the vendors do
                            r = await http.post(f"/webhooks/{d.source}", content=raw, headers=headers)
                            if r.status_code != 503:
                                break
                            await asyncio.sleep(0.5)
                    statuses[r.status_code] += 1
                    if r.status_code == 200:
                        answers[i] = r.json()

                tasks = []
                for i, d in enumerate(deliveries):
                    # Vendor order (their time), sent at `rate`; concurrent requests may overtake
                    # each other as a vendor's parallel senders do.
                    delay = posted + i / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(post(i, d)))
                await asyncio.gather(*tasks)
            sent_s = time.perf_counter() - posted
            # Drain: every signal seen on the subject recorded by incident-svc and nothing new for 2 s
            # (or nothing moving for 15 s: what never arrives is scored as lost).
            pool = await bench.connect_db()
            stable, last = 0, (-1, -1)
            for _ in range(240):
                # A re-sent unchanged alert has the same signal id (JetStream stores it once).
                ids = list({sid for m in signals.values() for sid in m.values()})
                done = await pool.fetchval(
                    "SELECT count(*) FROM alert_signals WHERE event_id = ANY($1::text[])", ids
                )
                stable = stable + 1 if (len(ids), done) == last else 0
                if (done == len(ids) and stable >= 4) or stable >= 30:
                    break
                last = (len(ids), done)
                await asyncio.sleep(0.5)
            print(f"{len(ids)} signals on the subject, {done} recorded by incident-svc", file=sys.stderr)
            signal_alert = {
                r["event_id"]: str(r["alert_id"])
                for r in await pool.fetch("SELECT event_id, alert_id FROM alert_signals")
            }
            await pool.close()
            await sub.unsubscribe()
            alert_incident = await read_incidents(bench.url)
            incident_states = await _states(bench.url)

    # Dedup items: every alert of every delivery (redeliveries too), truth = the vendor's problem.
    truth_d, pred_d = [], []
    by_transition: dict[tuple[str, str], str] = {}  # (problem, alert json) -> stored alert
    problem_alerts: dict[str, Counter[str]] = {}
    lost = 0
    for i, d in enumerate(deliveries):
        answer = answers[i]
        found = signals.get(answer["delivery_id"], {}) if answer else {}
        for problem, _incident, labels in d.truth:
            sid = found.get(_labels_key(labels) if labels is not None else "")
            alert = signal_alert.get(sid) if sid else None
            member = json.dumps(labels, sort_keys=True) if labels is not None else ""
            if alert is None and labels is not None:
                # An unchanged alert re-sent in a changed group: same signal id as before, dropped by
                # JetStream's duplicate window; it is the alert the earlier delivery reached.
                alert = by_transition.get((problem, member))
            if alert is None:
                lost += 1
                alert = f"lost:{i}:{problem}"
            else:
                by_transition[(problem, member)] = alert
            truth_d.append(problem)
            pred_d.append(alert)
            problem_alerts.setdefault(problem, Counter())[alert] += 1
    dp, dr, _ = prf(*pair_counts(truth_d, pred_d))
    # Grouping items: every true alert, labelled by its true incident and the incident of the stored
    # alert most of its signals reached.
    problem_truth = {p: inc for d in deliveries for p, inc, _ in d.truth}
    vendor_of_incident = {inc: d.source for d in deliveries for _, inc, _ in d.truth}
    problems = sorted(problem_truth)
    truth_g = [problem_truth[p] for p in problems]
    pred_g = []
    for p in problems:
        alert = problem_alerts[p].most_common(1)[0][0]
        pred_g.append(alert_incident.get(alert, f"none:{p}"))
    gp, gr, gf = prf(*pair_counts(truth_g, pred_g))
    # Lifecycle: a true incident (each alert's latest) is over when every one of its alerts ended by
    # the vendor's last word; the service's incident should then be resolved, else still open.
    last_word: dict[str, bool] = {}
    for d in deliveries:
        if d.redelivery_of is not None:
            continue  # a repeat says nothing new (and arrives after later words)
        for (p, _, _), ended in zip(d.truth, d.ended, strict=True):
            last_word[p] = ended
    over: dict[str, bool] = {}
    for p in problems:
        over[problem_truth[p]] = over.get(problem_truth[p], True) and last_word[p]
    state_of = {i["id"]: i["state"] for i in incident_states}
    predicted_over = {}
    for p, g in zip(problems, pred_g, strict=True):
        predicted_over[problem_truth[p]] = state_of.get(g) in ("resolved", "closed", "mitigated")
    right = sum(predicted_over[t] == o for t, o in over.items())
    wrong_by_vendor = Counter(vendor_of_incident[t] for t, o in over.items() if predicted_over[t] != o)
    if explain:
        for t, o in over.items():
            if predicted_over[t] != o:
                print(f"  lifecycle wrong: {t} over={o}", file=sys.stderr)
        split: dict[str, set[str]] = {}
        for t, g in zip(truth_g, pred_g, strict=True):
            split.setdefault(t, set()).add(g)
        for t, gs in split.items():
            if len(gs) > 1:
                print(f"  split: {t} -> {len(gs)} incidents", file=sys.stderr)
                for d in deliveries:
                    for (p, inc, _), ended in zip(d.truth, d.ended, strict=True):
                        if inc == t:
                            got = alert_incident.get(problem_alerts[p].most_common(1)[0][0], "")
                            print(f"    {d.at:%H:%M:%S} {p} ended={ended} -> {got[:8]}", file=sys.stderr)
    duplicates = sum(1 for a in answers if a and a.get("duplicate"))
    print(
        f"seed {seed}: {len(deliveries)} webhooks ({dict(Counter(d.source for d in deliveries))}) posted in "
        f"{sent_s:.1f}s, answers {dict(statuses)}, {duplicates} redeliveries collapsed; "
        f"{len(truth_d)} alert occurrences ({lost} without a stored signal), {len(problems)} alerts, "
        f"{len(set(truth_g))} true incidents; service opened {len(set(pred_g))} incidents"
    )
    print(f"dedup    pairwise precision {dp:.4f}  recall {dr:.4f}   (targets P>=0.99, R>=0.95)")
    print(f"grouping pairwise precision {gp:.4f}  recall {gr:.4f}  F1 {gf:.4f}   (target F1>=0.90)")
    print(
        f"lifecycle: {right}/{len(over)} incidents in the right open/resolved state "
        f"(wrong by vendor: {dict(wrong_by_vendor)})"
    )
    per_vendor: dict[str, tuple[list[str], list[str]]] = {}
    vendor_of = {p: d.source for d in deliveries for p, _, _ in d.truth}
    for p, t, g in zip(problems, truth_g, pred_g, strict=True):
        tv, gv = per_vendor.setdefault(vendor_of[p], ([], []))
        tv.append(t)
        gv.append(g)
    print(
        "grouping F1 by vendor: "
        + ", ".join(f"{v} {prf(*pair_counts(t, g))[2]:.3f}" for v, (t, g) in sorted(per_vendor.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--problems", type=int, default=600, help="problem episodes to attempt")
    parser.add_argument("--rate", type=float, default=150.0, help="webhooks/s to post at")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--explain", action="store_true", help="list wrong lifecycles and split incidents")
    args = parser.parse_args()
    asyncio.run(run(args.seed, args.problems, args.rate, args.concurrency, args.explain))


if __name__ == "__main__":
    main()
