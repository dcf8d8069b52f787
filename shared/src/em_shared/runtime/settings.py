"""Settings from environment variables into frozen msgspec Structs.

Every field carries its environment variable and a description in `msgspec.Meta`, so one
function parses them and another writes docs/configuration.md: the docs cannot drift.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import msgspec

T = TypeVar("T", bound=msgspec.Struct)


def env(name: str, description: str) -> msgspec.Meta:
    """Field metadata: the environment variable that sets it and what it is for."""
    return msgspec.Meta(description=description, extra={"env": name})


class SettingsError(ValueError):
    """A setting is malformed; the message names the variable."""


class CommonSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Settings every service shares. Service settings subclass this and add their own."""

    nats_url: Annotated[str, env("NATS_URL", "NATS server URL(s), comma-separated.")] = (
        "nats://127.0.0.1:14222"
    )
    database_url: Annotated[str, env("DATABASE_URL", "PostgreSQL DSN; each service uses its own schema.")] = (
        "postgresql://postgres@127.0.0.1:15432/postgres"
    )
    temporal_address: Annotated[str, env("TEMPORAL_ADDRESS", "Temporal frontend host:port.")] = (
        "127.0.0.1:17233"
    )
    namespace: Annotated[
        str,
        env("EM_NAMESPACE", "Prefix for subjects, streams and DB schemas; isolates tenants and tests."),
    ] = ""
    host: Annotated[str, env("EM_HOST", "Interface the HTTP server binds.")] = "127.0.0.1"
    log_level: Annotated[str, env("LOG_LEVEL", "Log level: debug, info, warning, error.")] = "info"
    log_format: Annotated[str, env("LOG_FORMAT", "json (production) or console (humans).")] = "json"
    db_pool_min: Annotated[int, env("DB_POOL_MIN", "Minimum PostgreSQL connections per process.")] = 1
    db_pool_max: Annotated[int, env("DB_POOL_MAX", "Maximum PostgreSQL connections per process.")] = 10
    shutdown_grace_s: Annotated[
        float, env("SHUTDOWN_GRACE_S", "Seconds to finish in-flight requests and messages on SIGTERM.")
    ] = 8.0
    rpc_timeout_s: Annotated[
        float, env("RPC_TIMEOUT_S", "Default timeout of NATS requests to other services.")
    ] = 5.0


def load_settings(cls: type[T], environ: Mapping[str, str] | None = None, **overrides: Any) -> T:
    """Build `cls` from the environment; unset variables keep their defaults, bad ones raise."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for name, meta in field_metas(cls).items():
        var = meta.extra["env"] if meta.extra else None
        if var and var in environ:
            raw[name] = environ[var]
    raw.update(overrides)
    try:
        return msgspec.convert(raw, cls, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_name_variable(cls, str(exc))) from exc


def field_metas(cls: type[msgspec.Struct]) -> dict[str, msgspec.Meta]:
    """Field name -> its Meta (with env name and description), in declaration order."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    out: dict[str, msgspec.Meta] = {}
    for f in info.fields:
        meta = _meta_of(f.type)
        if meta is not None:
            out[f.name] = meta
    return out


def describe(cls: type[msgspec.Struct]) -> list[tuple[str, str, str, str]]:
    """(variable, type, default, description) rows for the configuration docs."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    rows = []
    for f in info.fields:
        meta = _meta_of(f.type)
        if meta is None or not meta.extra:
            continue
        default = f.default if f.default is not msgspec.NODEFAULT else "(required)"
        rows.append((meta.extra["env"], _type_name(f.type), _show(default), meta.description or ""))
    return rows


def _meta_of(t: msgspec.inspect.Type) -> msgspec.Meta | None:
    if isinstance(t, msgspec.inspect.Metadata) and t.extra is not None:
        return msgspec.Meta(
            description=t.extra_json_schema.get("description") if t.extra_json_schema else None, extra=t.extra
        )
    return None


def _type_name(t: msgspec.inspect.Type) -> str:
    inner = t.type if isinstance(t, msgspec.inspect.Metadata) else t
    return type(inner).__name__.removesuffix("Type").lower()


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value)) or '""'
    if value == "":
        return '""'
    return str(value)


def _name_variable(cls: type[msgspec.Struct], message: str) -> str:
    for name, meta in field_metas(cls).items():
        if f"$.{name}" in message and meta.extra:
            return f"{meta.extra['env']}: {message}"
    return message
