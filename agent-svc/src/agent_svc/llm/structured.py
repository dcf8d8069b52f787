"""Structured output: the reply must be JSON valid against the JSON Schema msgspec derives from a
type. An invalid reply gets exactly one repair attempt that names the errors, then it fails.
Schemas and their validators are built once per type (they were ~5 % of agent-svc's CPU per call)."""

from __future__ import annotations

import functools
import json
import re
from typing import Any, TypeVar

import jsonschema
import msgspec

from agent_svc.llm.types import LLMClient, LLMError, LLMRequest, LLMResponse, Message

T = TypeVar("T")
_FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class StructuredOutputInvalid(LLMError):
    pass


@functools.cache
def json_schema(type_: type) -> dict[str, Any]:
    """A self-contained object schema (the root definition inlined, other $defs kept).

    Cached per type and shared: callers must treat it as read-only."""
    schema = msgspec.json.schema(type_)
    defs = schema.get("$defs", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        root = dict(defs[ref.removeprefix("#/$defs/")])
        rest = {k: v for k, v in defs.items() if f"#/$defs/{k}" != ref}
        if rest:
            root["$defs"] = rest
        return root
    return schema


@functools.cache
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_json))


@functools.cache
def _schema_text(type_: type) -> str:
    return json.dumps(json_schema(type_))


def parse_and_validate(text: str, schema: dict[str, Any], type_: type[T]) -> T:
    candidate = text.strip()
    if fenced := _FENCED.search(candidate):
        candidate = fenced[1].strip()
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end < start:
        raise StructuredOutputInvalid("the reply contains no JSON object")
    try:
        value = json.loads(candidate[start : end + 1])
    except ValueError as exc:
        raise StructuredOutputInvalid(f"the reply is not valid JSON: {exc}") from exc
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in _validator(json.dumps(schema, sort_keys=True)).iter_errors(value)
    ]
    if problems:
        raise StructuredOutputInvalid("; ".join(problems[:5]))
    try:
        return msgspec.convert(value, type_)
    except msgspec.ValidationError as exc:
        raise StructuredOutputInvalid(str(exc)) from exc


async def complete_structured(
    client: LLMClient, request: LLMRequest, type_: type[T]
) -> tuple[T, LLMResponse]:
    schema = json_schema(type_)
    system = (
        f"{request.system}\n\nReply with one JSON object only (no prose, no code fence), valid "
        f"against this JSON Schema:\n{_schema_text(type_)}"
    )
    asking = msgspec.structs.replace(request, system=system, structured=True)
    response = await client.complete(asking)
    try:
        return parse_and_validate(response.text, schema, type_), response
    except StructuredOutputInvalid as first:
        repair = msgspec.structs.replace(
            asking,
            purpose=f"{request.purpose}:repair",
            messages=[
                *request.messages,
                Message(role="assistant", content=response.text),
                Message(
                    role="user",
                    content=f"That reply is invalid: {first}. Reply again with only the JSON "
                    "object, valid against the schema.",
                ),
            ],
        )
        repaired = await client.complete(repair)
        return parse_and_validate(repaired.text, schema, type_), repaired
