"""Declare JetStream streams from the subject table, idempotently, and report drift.

Creating a missing stream is safe; silently changing an existing one is not (a smaller max_age
deletes history). So a stream whose live config differs from the table raises `StreamDrift`
naming every differing field, unless the caller asks to update it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from em_shared.contracts.subjects import StreamSpec, Topology


class StreamDrift(RuntimeError):
    """A live stream differs from the table; `differences` maps field -> (live, wanted)."""

    def __init__(self, stream: str, differences: dict[str, tuple[object, object]]) -> None:
        self.stream = stream
        self.differences = differences
        detail = ", ".join(f"{k}: live={v[0]!r} wanted={v[1]!r}" for k, v in differences.items())
        super().__init__(
            f"stream {stream} differs from the subject table ({detail}); "
            "run `emctl streams --apply` to update it deliberately"
        )


@dataclass(frozen=True)
class StreamOutcome:
    stream: str
    action: str  # created | unchanged | updated


def stream_config(topology: Topology, spec: StreamSpec) -> StreamConfig:
    return StreamConfig(
        name=topology.stream(spec.name),
        description=spec.description,
        subjects=topology.stream_subjects(spec),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=spec.max_age_s,
        max_bytes=spec.max_bytes,
        max_msg_size=spec.max_msg_size,
        duplicate_window=spec.duplicate_window_s,
        discard=DiscardPolicy.OLD,
        num_replicas=1,
    )


_COMPARED = (
    "subjects",
    "storage",
    "retention",
    "max_age",
    "max_bytes",
    "max_msg_size",
    "duplicate_window",
    "discard",
)


def _differences(live: StreamConfig, wanted: StreamConfig) -> dict[str, tuple[object, object]]:
    diffs: dict[str, tuple[object, object]] = {}
    for name in _COMPARED:
        a, b = getattr(live, name), getattr(wanted, name)
        if name == "subjects":
            a, b = sorted(a or []), sorted(b or [])
        elif isinstance(a, float) or isinstance(b, float):
            a, b = round(float(a or 0), 3), round(float(b or 0), 3)
        if a != b:
            diffs[name] = (a, b)
    return diffs


async def declare_streams(
    js: JetStreamContext, topology: Topology, *, apply_changes: bool = False
) -> list[StreamOutcome]:
    """Create every stream of the table that is missing; verify the others match it."""
    outcomes = []
    for spec in topology.streams:
        wanted = stream_config(topology, spec)
        name = topology.stream(spec.name)
        try:
            info = await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(wanted)
            outcomes.append(StreamOutcome(name, "created"))
            continue
        diffs = _differences(info.config, wanted)
        if not diffs:
            outcomes.append(StreamOutcome(name, "unchanged"))
        elif apply_changes:
            await js.update_stream(wanted)
            outcomes.append(StreamOutcome(name, "updated"))
        else:
            raise StreamDrift(name, diffs)
    return outcomes
