"""The one table of streams, event subjects and RPC subjects.

Streams are declared from it at startup, docs/subjects.md is generated from it, and every
publisher and subscriber names subjects through it. Events read `<domain>.<entity>.<past-verb>`,
queries and commands `rpc.<service>.<verb>`. A namespace (settings `EM_NAMESPACE`) prefixes every
subject and stream so tests and tenants can share one NATS server without seeing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from em_shared.contracts import (
    agents,
    alerts,
    builds,
    changes,
    deliveries,
    deployments,
    health,
    incidents,
    knowledge,
    metrics,
    notifications,
    ownership,
    quality,
    work,
)

DAY = 86_400.0


@dataclass(frozen=True)
class StreamSpec:
    """A JetStream stream: file storage, a duplicate window for `Nats-Msg-Id`, bounded retention."""

    name: str
    subjects: tuple[str, ...]
    description: str
    max_age_s: float = 90 * DAY
    # -1: bounded by age only. A byte cap is reserved up front against the server's JetStream store,
    # so set one per deployment (emctl streams --apply) rather than in the table.
    max_bytes: int = -1
    # Longest vendor/relay redelivery we rely on JetStream to collapse; consumers dedup by id beyond it.
    duplicate_window_s: float = 2 * DAY
    max_msg_size: int = 1024**2


@dataclass(frozen=True)
class EventSubject:
    subject: str
    payload: type
    stream: str
    producer: str
    consumers: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class RpcSubject:
    subject: str
    request: type
    reply: type | None
    owner: str
    description: str


class S:
    """Subject names, so code never spells one by hand."""

    COMMIT_PUSHED = "scm.commit.pushed"
    PR_OPENED = "scm.pull_request.opened"
    PR_REVIEWED = "scm.pull_request.reviewed"
    PR_MERGED = "scm.pull_request.merged"
    PR_CLOSED = "scm.pull_request.closed"
    BUILD_FINISHED = "ci.build.finished"
    DEPLOYMENT_STARTED = "deploy.deployment.started"
    DEPLOYMENT_FINISHED = "deploy.deployment.finished"
    ALERT_RECEIVED = "alert.signal.received"
    WORK_CREATED = "work.item.created"
    WORK_UPDATED = "work.item.updated"
    WORK_COMPLETED = "work.item.completed"
    QUALITY_REPORTED = "quality.report.received"
    DELIVERY_FAILED = "ingest.delivery.failed"
    INCIDENT_PREFIX = "incident.incident"
    METRICS_ROLLED_UP = "metrics.dora.rolled_up"
    DM_REQUESTED = "notify.direct_message.requested"
    NOTIFY_DEAD_LETTERED = "notify.delivery.dead_lettered"
    AGENT_REGISTRY = "rpc.agent.registry"
    # Core NATS (no stream): ToolProgress of one chat turn, `agent.progress.<turn id>`.
    AGENT_PROGRESS = "agent.progress"
    CATALOG_LOOKUP = "rpc.catalog.lookup"
    INGEST_REPLAY = "rpc.ingest.replay"

    @staticmethod
    def incident(change: str) -> str:
        return f"incident.incident.{change}"

    @staticmethod
    def ping(service: str) -> str:
        return f"rpc.{service}.ping"

    @staticmethod
    def agent_run(agent: str) -> str:
        return f"rpc.agent.{agent}.run"


INCIDENT_CHANGES = (
    "opened",
    "acknowledged",
    "mitigated",
    "resolved",
    "closed",
    "reopened",
    "severity_changed",
    "merged",
    "updated",
)
SERVICES = ("ingest", "incident", "okr", "agent", "notifier", "rag")
SUB_AGENTS = ("metrics", "incident", "review", "okr")

STREAMS: tuple[StreamSpec, ...] = (
    StreamSpec(
        "INGEST",
        ("scm.>", "ci.>", "deploy.>", "alert.>", "work.>", "quality.>", "ingest.>"),
        "Canonical events normalized from webhook deliveries, and ingest dead letters.",
        max_age_s=400 * DAY,
    ),
    StreamSpec("INCIDENT", ("incident.>",), "Incident lifecycle events.", max_age_s=400 * DAY),
    StreamSpec("METRICS", ("metrics.>",), "DORA rollups, versioned per bucket."),
    StreamSpec("OKR", ("okr.>",), "Key-result progress and milestones."),
    StreamSpec("NOTIFY", ("notify.>",), "Notification requests and dead letters."),
    StreamSpec(
        "DEADLETTER",
        ("deadletter.>",),
        "Messages a consumer gave up on, by consumer; replayable.",
        max_age_s=30 * DAY,
    ),
)

_pr = changes.PullRequestChanged
EVENTS: tuple[EventSubject, ...] = (
    EventSubject(
        S.COMMIT_PUSHED,
        changes.CommitsPushed,
        "INGEST",
        "ingest",
        ("metrics", "okr"),
        "Commits pushed to a branch.",
    ),
    EventSubject(S.PR_OPENED, _pr, "INGEST", "ingest", ("metrics",), "Pull/merge request opened."),
    EventSubject(S.PR_REVIEWED, _pr, "INGEST", "ingest", ("metrics",), "Pull/merge request reviewed."),
    EventSubject(S.PR_MERGED, _pr, "INGEST", "ingest", ("metrics", "okr"), "Pull/merge request merged."),
    EventSubject(S.PR_CLOSED, _pr, "INGEST", "ingest", ("metrics",), "Closed without merge."),
    EventSubject(
        S.BUILD_FINISHED,
        builds.BuildFinished,
        "INGEST",
        "ingest",
        ("metrics",),
        "CI pipeline, workflow or job finished.",
    ),
    EventSubject(
        S.DEPLOYMENT_STARTED,
        deployments.DeploymentChanged,
        "INGEST",
        "ingest",
        ("metrics",),
        "A deployment started.",
    ),
    EventSubject(
        S.DEPLOYMENT_FINISHED,
        deployments.DeploymentChanged,
        "INGEST",
        "ingest",
        ("metrics", "incident", "okr"),
        "A deployment finished (success or failure).",
    ),
    EventSubject(
        S.ALERT_RECEIVED,
        alerts.AlertSignal,
        "INGEST",
        "ingest",
        ("incident",),
        "One alert, firing or resolved.",
    ),
    EventSubject(S.WORK_CREATED, work.WorkItemChanged, "INGEST", "ingest", ("metrics",), "Ticket created."),
    EventSubject(S.WORK_UPDATED, work.WorkItemChanged, "INGEST", "ingest", ("metrics",), "Ticket updated."),
    EventSubject(S.WORK_COMPLETED, work.WorkItemChanged, "INGEST", "ingest", ("metrics",), "Ticket done."),
    EventSubject(
        S.QUALITY_REPORTED,
        quality.QualityReported,
        "INGEST",
        "ingest",
        ("metrics",),
        "Coverage or quality-gate report.",
    ),
    EventSubject(
        S.DELIVERY_FAILED,
        deliveries.DeliveryFailed,
        "INGEST",
        "ingest",
        ("operators",),
        "Dead letter: a stored delivery whose normalization failed.",
    ),
    *(
        EventSubject(
            S.incident(c),
            incidents.IncidentChanged,
            "INCIDENT",
            "incident",
            ("notifier", "metrics", "rag", "okr"),
            f"Incident {c.replace('_', ' ')}.",
        )
        for c in INCIDENT_CHANGES
    ),
    EventSubject(
        S.METRICS_ROLLED_UP,
        metrics.DoraRolledUp,
        "METRICS",
        "ingest",
        ("okr",),
        "A DORA bucket changed (versioned).",
    ),
    EventSubject(
        S.DM_REQUESTED,
        notifications.DirectMessageRequested,
        "NOTIFY",
        "okr",
        ("notifier",),
        "Send a Slack direct message.",
    ),
    EventSubject(
        S.NOTIFY_DEAD_LETTERED,
        notifications.NotificationDeadLettered,
        "NOTIFY",
        "notifier",
        ("operators",),
        "A Slack call failed after its retries.",
    ),
)

RPCS: tuple[RpcSubject, ...] = (
    *(
        RpcSubject(S.ping(s), health.Ping, health.Pong, s, "Liveness, version and readiness.")
        for s in SERVICES
    ),
    RpcSubject("rpc.metrics.dora", metrics.DoraQuery, None, "ingest", "DORA figures with drill-down."),
    RpcSubject("rpc.metrics.flow", metrics.DoraQuery, None, "ingest", "Delivery-flow figures."),
    RpcSubject("rpc.metrics.quality", metrics.DoraQuery, None, "ingest", "Quality figures."),
    RpcSubject(
        S.CATALOG_LOOKUP,
        ownership.CatalogLookup,
        ownership.Ownership,
        "ingest",
        "Owner of a repository, app, monitor, project or label set, from the service catalog.",
    ),
    RpcSubject(
        S.INGEST_REPLAY,
        deliveries.ReplayRequest,
        deliveries.ReplayResult,
        "ingest",
        "Re-run normalization of stored deliveries (same event ids).",
    ),
    RpcSubject(
        "rpc.incident.get",
        incidents.IncidentRef,
        incidents.IncidentDetail,
        "incident",
        "One incident with alerts, timeline and deployments.",
    ),
    RpcSubject(
        "rpc.incident.list",
        incidents.IncidentListQuery,
        incidents.IncidentPage,
        "incident",
        "Incidents by filter.",
    ),
    *(
        RpcSubject(
            f"rpc.incident.{verb}",
            incidents.IncidentAction,
            incidents.IncidentSnapshot,
            "incident",
            f"{verb.capitalize()} an incident.",
        )
        for verb in ("acknowledge", "mitigate", "resolve", "close", "reopen")
    ),
    RpcSubject(
        "rpc.incident.add_note",
        incidents.IncidentNote,
        incidents.IncidentSnapshot,
        "incident",
        "Add a timeline note.",
    ),
    RpcSubject(
        "rpc.incident.create",
        incidents.IncidentCreate,
        incidents.IncidentSnapshot,
        "incident",
        "Open a manual incident.",
    ),
    RpcSubject(
        "rpc.incident.update",
        incidents.IncidentUpdate,
        incidents.IncidentSnapshot,
        "incident",
        "Change state, severity, assignee or title.",
    ),
    RpcSubject(
        "rpc.incident.merge",
        incidents.IncidentMerge,
        incidents.IncidentSnapshot,
        "incident",
        "Merge incidents into one.",
    ),
    RpcSubject(
        "rpc.incident.link_deployment",
        incidents.IncidentLinkDeployment,
        incidents.IncidentSnapshot,
        "incident",
        "Link a deployment to an incident.",
    ),
    RpcSubject(
        "rpc.rag.search",
        knowledge.SearchQuery,
        knowledge.SearchResults,
        "rag",
        "Hybrid search over runbooks and past incidents.",
    ),
    RpcSubject(
        "rpc.agent.registry",
        agents.RegistryQuery,
        agents.AgentRegistryListing,
        "agent",
        "Sub-agents with capabilities and versions.",
    ),
    *(
        RpcSubject(
            S.agent_run(a), agents.AgentRunRequest, agents.AgentRunResult, "agent", f"Run the {a} sub-agent."
        )
        for a in SUB_AGENTS
    ),
)


@dataclass(frozen=True)
class Topology:
    """The table seen through a namespace: concrete subject and stream names for one deployment."""

    namespace: str = ""
    streams: tuple[StreamSpec, ...] = field(default=STREAMS)

    def subject(self, name: str) -> str:
        return f"{self.namespace}.{name}" if self.namespace else name

    def stream(self, name: str) -> str:
        return f"{self.namespace}_{name}" if self.namespace else name

    def stream_subjects(self, spec: StreamSpec) -> list[str]:
        return [self.subject(s) for s in spec.subjects]

    def unqualify(self, subject: str) -> str:
        prefix = f"{self.namespace}." if self.namespace else ""
        return subject[len(prefix) :] if prefix and subject.startswith(prefix) else subject

    def stream_for(self, subject: str) -> StreamSpec:
        for spec in self.streams:
            for pattern in spec.subjects:
                if _matches(pattern, subject):
                    return spec
        raise KeyError(f"no stream captures subject {subject!r}")


def event_subject(subject: str) -> EventSubject:
    for row in EVENTS:
        if row.subject == subject:
            return row
    raise KeyError(subject)


def _matches(pattern: str, subject: str) -> bool:
    p_parts, s_parts = pattern.split("."), subject.split(".")
    for i, p in enumerate(p_parts):
        if p == ">":
            return len(s_parts) > i
        if i >= len(s_parts) or (p != "*" and p != s_parts[i]):
            return False
    return len(p_parts) == len(s_parts)
