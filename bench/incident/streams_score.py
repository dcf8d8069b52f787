"""Score dedup, grouping and lifecycle on labelled alert *streams* (`streams_heldout/`).

`webhook_score.py` draws thousands of generated deliveries; this scorer replays hand-labelled
sequences over time (Alertmanager groups changing membership, PagerDuty reopen, Sentry regressions,
Datadog renotify/no-data, CloudWatch flapping, cross-vendor outages), each delivery signed and posted
to a real `python -m ingest_svc`, whose signals flow over JetStream into a real `python -m
incident_svc` (real PostgreSQL and NATS). A stream's deliveries go in order, each once the previous
one's signals were recorded; streams run side by side (their services and ids are their own).

After each delivery, each of its alerts is read back: the stored alert its signal reached and that
alert's incident at that moment. Printed: dedup pairwise precision/recall over every alert occurrence
(truth: the vendor's problem), grouping pairwise F1 over alert episodes (truth: the labelled incident;
predicted: the incident most of the episode's signals reached), incident-count exact match per
stream, and state accuracy (each labelled incident's final state: open, acknowledged or resolved).

    python bench/incident/streams_score.py --split dev [--explain] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from ingest_svc.domain.sources import SOURCES

sys.path.insert(0, str(Path(__file__).parent))
from harness import Bench, running_service
from harness import running_ingest as harness_ingest
from score import pair_counts, prf

HERE = Path(__file__).parent / "streams_heldout"
SECRET = "bench-streams-secret"
VENDORS = ["pagerduty", "sentry", "datadog", "newrelic", "alertmanager", "cloudwatch"]
NO_SIGNAL, LOST = "no-signal", "lost"
STATE_OK = {
    "open": {"triggered", "acknowledged"},
    "acknowledged": {"acknowledged"},
    "resolved": {"resolved", "closed"},
}


def load(split: str, only: str | None) -> list[dict[str, Any]]:
    splits = json.loads((HERE / "split.json").read_text())
    out = []
    for sid, half in sorted(splits.items()):
        if split != "all" and half != split:
            continue
        if only and only not in sid:
            continue
        out.append(json.loads((HERE / "streams" / f"{sid}.json").read_text()))
    return out


def _labels_key(labels: dict[str, str]) -> str:
    return json.dumps(labels, sort_keys=True)


class Replay:
    """Posts deliveries and reads back, per alert occurrence, (stored alert, its incident)."""

    def __init__(self, bench: Bench, port: int, pool: Any) -> None:
        self.bench, self.port, self.pool = bench, port, pool
        self.signals: dict[str, dict[str, str]] = {}  # delivery id -> {labels key or "": signal id}
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)

    async def on_signal(self, msg: Any) -> None:
        s = json.loads(msg.data)
        key = _labels_key(s["labels"]) if s["vendor"] == "alertmanager" else ""
        self.signals.setdefault(s["causation_id"], {})[key] = s["id"]

    async def post(self, d: dict[str, Any]) -> dict[str, Any]:
        raw = json.dumps(d["body"]).encode()
        headers = {"Content-Type": "application/json", **d["headers"]}
        headers.update(SOURCES[d["source"]].scheme.sign(SECRET, raw, time.time()))
        for _ in range(20):
            r = await self.http.post(f"/webhooks/{d['source']}", content=raw, headers=headers)
            if r.status_code != 503:
                break
            await asyncio.sleep(0.5)
        if r.status_code != 200:
            raise RuntimeError(f"{d['source']} delivery refused: {r.status_code} {r.text[:200]}")
        return r.json()  # type: ignore[no-any-return]

    async def deliver(self, d: dict[str, Any]) -> list[tuple[str | None, str | None]]:
        """Post one delivery; per truth item, (alert id, incident id) once its signal was recorded."""
        answer = await self.post(d)
        did = answer["delivery_id"]
        want = [(_labels_key(t["labels"]) if "labels" in t else "") for t in d["truth"]]
        for _ in range(80):  # signals of this delivery on the subject (a duplicate has them already)
            found = self.signals.get(did, {})
            if all(k in found for k in want):
                break
            await asyncio.sleep(0.1)
        found = self.signals.get(did, {})
        ids = [found.get(k) for k in want]
        present = [i for i in ids if i]
        for _ in range(150):  # recorded by incident-svc
            n = await self.pool.fetchval(
                "SELECT count(*) FROM alert_signals WHERE event_id = ANY($1::text[])", present
            )
            if n == len(present):
                break
            await asyncio.sleep(0.1)
        rows = await self.pool.fetch(
            "SELECT s.event_id, s.alert_id::text AS alert, a.incident_id::text AS incident"
            " FROM alert_signals s LEFT JOIN alerts a ON a.id = s.alert_id"
            " WHERE s.event_id = ANY($1::text[])",
            present,
        )
        by_id = {r["event_id"]: (r["alert"], r["incident"]) for r in rows}
        # No signal at all: ingest-svc emitted none for this alert (an event that changes no alert
        # state, e.g. PagerDuty incident.annotated). A signal incident-svc never recorded: lost.
        return [by_id.get(i, (LOST, None)) if i else (NO_SIGNAL, None) for i in ids]


async def replay_stream(rp: Replay, stream: dict[str, Any]) -> dict[str, Any]:
    occurrences = []  # (truth alert, truth incident, alert id, incident id, delivery index)
    for n, d in enumerate(stream["deliveries"]):
        got = await rp.deliver(d)
        for t, (alert, incident) in zip(d["truth"], got, strict=True):
            occurrences.append((t["alert"], t["incident"], alert, incident, n))
    incidents = {inc for *_, inc, _ in occurrences if inc}
    states = {}
    async with httpx.AsyncClient(base_url=rp.bench.url, timeout=30) as http:
        for inc in incidents:
            states[inc] = (await http.get(f"/v1/incidents/{inc}")).json()["incident"]["state"]
    return {"stream": stream, "occurrences": occurrences, "states": states}


def score(results: list[dict[str, Any]], explain: bool, trace: bool = False) -> None:
    truth_d, pred_d, truth_g, pred_g = [], [], [], []
    count_ok = state_ok = states_n = streams_ok = silent = 0
    for res in results:
        st, occ = res["stream"], res["occurrences"]
        sid = st["id"]
        silent += sum(alert == NO_SIGNAL for _, _, alert, _, _ in occ)
        occ = [o for o in occ if o[2] != NO_SIGNAL]  # not an item: nothing reached incident-svc
        for n, (ta, _ti, alert, _inc, k) in enumerate(occ):
            truth_d.append(f"{sid}:{ta}")
            pred_d.append(f"lost:{sid}:{n}:{k}" if alert == LOST else alert)
        episodes: dict[tuple[str, str], Counter[str]] = {}
        for n, (ta, ti, _alert, inc, _k) in enumerate(occ):
            if ti is not None:
                episodes.setdefault((ta, ti), Counter())[inc or f"none:{sid}:{n}"] += 1
        s_truth, s_pred = [], []
        for (_ta, ti), c in sorted(episodes.items()):
            s_truth.append(f"{sid}:{ti}")
            s_pred.append(c.most_common(1)[0][0])
        truth_g += s_truth
        pred_g += s_pred
        predicted = {inc for *_, inc, _ in occ if inc}
        c_ok = len(predicted) == st["expect"]["count"]
        count_ok += c_ok
        wrong_states = []
        for label, want in st["expect"]["incidents"].items():
            votes = Counter(p for t, p in zip(s_truth, s_pred, strict=True) if t == f"{sid}:{label}")
            got_inc = votes.most_common(1)[0][0] if votes else None
            got = res["states"].get(got_inc, "none")
            states_n += 1
            if got in STATE_OK[want]:
                state_ok += 1
            else:
                wrong_states.append(f"{label}: want {want}, got {got}")
        tp, pp, ap = pair_counts(s_truth, s_pred)
        d_tp, d_pp, d_ap = pair_counts(truth_d[-len(occ) :], pred_d[-len(occ) :]) if occ else (0, 0, 0)
        ok = c_ok and not wrong_states and tp == pp == ap and d_tp == d_pp == d_ap
        streams_ok += ok
        if (explain and not ok) or trace:
            print(
                f"{'ok  ' if ok else 'MISS'} {sid}: incidents {len(predicted)} (want {st['expect']['count']}); {'; '.join(wrong_states)}"
            )
            short = {inc: f"I{i}" for i, inc in enumerate(sorted(predicted, key=str))}
            alias: dict[str, str] = {}
            for ta, ti, alert, inc, k in res["occurrences"]:
                a = alert if alert in (NO_SIGNAL, LOST) else alias.setdefault(alert, f"a{len(alias)}")
                d = st["deliveries"][k]
                print(
                    f"   #{k} {d['at']} {d['source']:<12} {ta:<6} want {ti!s:<5} -> alert {a} "
                    f"incident {short.get(inc, inc)} ({res['states'].get(inc, '-')})"
                )
    dp, dr, _ = prf(*pair_counts(truth_d, pred_d))
    gp, gr, gf = prf(*pair_counts(truth_g, pred_g))
    n = len(results)
    print(
        f"{n} streams, {len(truth_d)} alert occurrences, {len(truth_g)} alert episodes "
        f"({silent} got no signal from ingest-svc: not dedup items, their effect shows in count and state)"
    )
    print(f"dedup    pairwise precision {dp:.4f}  recall {dr:.4f}")
    print(f"grouping pairwise precision {gp:.4f}  recall {gr:.4f}  F1 {gf:.4f}")
    print(f"incident count exact: {count_ok}/{n}   state accuracy: {state_ok}/{states_n}")
    print(f"streams fully right: {streams_ok}/{n}")


async def run(split: str, explain: bool, only: str | None, parallel: int, trace: bool) -> None:
    streams = load(split, only)
    env = {
        "EM_SERVICE_CATALOG": str(HERE / "catalog.yaml"),
        **{f"EM_WEBHOOK_SECRET_{v.upper()}": SECRET for v in VENDORS},
    }
    async with running_service() as bench, harness_ingest(bench, env) as port:
        pool = await bench.connect_db()
        rp = Replay(bench, port, pool)
        sub = await bench.nc.subscribe(bench.topology.subject("alert.signal.received"), cb=rp.on_signal)
        gate = asyncio.Semaphore(parallel)

        async def one(s: dict[str, Any]) -> dict[str, Any]:
            async with gate:
                return await replay_stream(rp, s)

        try:
            results = await asyncio.gather(*(one(s) for s in streams))
        finally:
            await sub.unsubscribe()
            await rp.http.aclose()
            with contextlib.suppress(Exception):
                await pool.close()
    print(f"split {split}: {', '.join(s['id'] for s in streams) if only else len(streams)}")
    score(results, explain, trace)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--explain", action="store_true", help="print every stream that is not fully right")
    parser.add_argument("--only", help="streams whose id contains this")
    parser.add_argument("--trace", action="store_true", help="print every stream, right or not")
    parser.add_argument("--parallel", type=int, default=6, help="streams replayed side by side")
    args = parser.parse_args()
    asyncio.run(run(args.split, args.explain, args.only, args.parallel, args.trace))


if __name__ == "__main__":
    main()
