"""Read queries for answers that no stored partial covers: multi-filter DORA, flow and quality."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from ingest_svc.metrics.domain.figures import DeployRow, IncidentRow
from ingest_svc.metrics.domain.flow import BuildRow, PullRequestRow, QualityRow

_OWNER = """($1::text IS NULL OR {a}service = $1) AND ($2::text IS NULL OR {a}team = $2)
            AND ($3::text IS NULL OR {a}repository = $3)"""


async def filtered_outcomes(
    conn: asyncpg.Connection,
    service: str | None,
    team: str | None,
    repository: str | None,
    env: str | None,
    first: date,
    last: date,
) -> dict[date, list[DeployRow]]:
    rows = await conn.fetch(
        f"""SELECT o.day, o.key, o.status, o.recovery_s, o.rework IS NOT NULL AS rework, o.incident_ids,
                   COALESCE((SELECT array_agg(c.sha ORDER BY c.sha) FROM outcome_commits c
                              WHERE c.key = o.key AND c.lead_s IS NOT NULL), '{{}}') AS lead_shas,
                   COALESCE((SELECT array_agg(c.lead_s ORDER BY c.sha) FROM outcome_commits c
                              WHERE c.key = o.key AND c.lead_s IS NOT NULL), '{{}}') AS leads
            FROM outcomes o WHERE {_OWNER.format(a="o.")} AND ($4::text IS NULL OR o.environment = $4)
              AND o.day >= $5 AND o.day < $6""",
        service,
        team,
        repository,
        env,
        first,
        last,
    )
    out: dict[date, list[DeployRow]] = {}
    for r in rows:
        out.setdefault(r["day"], []).append(
            DeployRow(
                key=r["key"],
                status=r["status"],
                recovery_s=r["recovery_s"],
                rework=r["rework"],
                incident_ids=tuple(r["incident_ids"]),
                leads=tuple(zip(r["lead_shas"], r["leads"], strict=True)),
            )
        )
    return out


async def filtered_incidents(
    conn: asyncpg.Connection, service: str | None, team: str | None, env: str | None, first: date, last: date
) -> dict[date, list[IncidentRow]]:
    rows = await conn.fetch(
        """SELECT day, id, severity, extract(epoch FROM resolved_at - opened_at)::float8 AS ttr FROM incidents
           WHERE ($1::text IS NULL OR service = $1) AND ($2::text IS NULL OR team = $2)
             AND ($3::text IS NULL OR COALESCE(environment, 'unspecified') = $3) AND day >= $4 AND day < $5""",
        service,
        team,
        env,
        first,
        last,
    )
    out: dict[date, list[IncidentRow]] = {}
    for r in rows:
        out.setdefault(r["day"], []).append(IncidentRow(r["id"], r["severity"], r["ttr"]))
    return out


async def merged_pull_requests(
    conn: asyncpg.Connection,
    service: str | None,
    team: str | None,
    repository: str | None,
    env: str | None,
    start: datetime,
    end: datetime,
) -> list[PullRequestRow]:
    rows = await conn.fetch(
        f"""SELECT p.repository, p.number, p.first_commit_at, p.created_at, p.first_review_at, p.merged_at,
                   p.additions + p.deletions AS size,
                   (SELECT min(o.finished_at) FROM outcome_commits c JOIN outcomes o USING (key)
                     WHERE o.status <> 'attempt_failed' AND ($4::text IS NULL OR o.environment = $4)
                       AND (c.sha = p.merge_sha OR c.sha = ANY(p.commit_shas))) AS deployed_at
            FROM pull_requests p WHERE {_OWNER.format(a="p.")} AND p.merged_at >= $5 AND p.merged_at < $6""",
        service,
        team,
        repository,
        env,
        start,
        end,
    )
    return [
        PullRequestRow(
            f"{r['repository']}#{r['number']}",
            r["first_commit_at"],
            r["created_at"],
            r["first_review_at"],
            r["merged_at"],
            r["deployed_at"],
            r["size"],
        )
        for r in rows
    ]


async def builds(
    conn: asyncpg.Connection,
    service: str | None,
    team: str | None,
    repository: str | None,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, BuildRow]]:
    rows = await conn.fetch(
        f"""SELECT key, status, duration_s, finished_at FROM builds
            WHERE {_OWNER.format(a="")} AND finished_at >= $4 AND finished_at < $5""",
        service,
        team,
        repository,
        start,
        end,
    )
    return [(r["finished_at"], BuildRow(r["key"], r["status"], r["duration_s"])) for r in rows]


async def quality_reports(
    conn: asyncpg.Connection,
    service: str | None,
    team: str | None,
    repository: str | None,
    start: datetime,
    end: datetime,
) -> list[QualityRow]:
    rows = await conn.fetch(
        f"""SELECT project, kind, at, coverage_pct, gate_status, issue_counts FROM quality_reports
            WHERE {_OWNER.format(a="")} AND at >= $4 AND at < $5""",
        service,
        team,
        repository,
        start,
        end,
    )
    return [
        QualityRow(r["project"], r["kind"], r["at"], r["coverage_pct"], r["gate_status"], r["issue_counts"])
        for r in rows
    ]
