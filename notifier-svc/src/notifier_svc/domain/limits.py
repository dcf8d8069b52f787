"""Slack's documented Block Kit limits, and a checker the builders and tests hold messages to.

Slack rejects a message that breaks them (`invalid_blocks`), which would dead-letter a notification,
so builders clip text to these numbers and tests assert every message kind passes `violations`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_BLOCKS = 50  # per message (modals and Home tabs allow 100)
MAX_MESSAGE_TEXT = 40_000  # top-level `text`; Slack truncates beyond it
MAX_BLOCK_ID = 255
MAX_HEADER_TEXT = 150
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_URL = 3000
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_TEXT_OBJECT = 3000


def clip(text: str, limit: int) -> str:
    """Shorten `text` to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def violations(text: str, blocks: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every limit a message breaks, as readable strings; an empty list means Slack accepts it."""
    out: list[str] = []
    if len(text) > MAX_MESSAGE_TEXT:
        out.append(f"text: {len(text)} > {MAX_MESSAGE_TEXT} characters")
    if len(blocks) > MAX_BLOCKS:
        out.append(f"blocks: {len(blocks)} > {MAX_BLOCKS}")
    for i, block in enumerate(blocks):
        out.extend(f"blocks[{i}] ({block.get('type')}): {v}" for v in _block_violations(block))
    return out


def _block_violations(block: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    _max_len(out, "block_id", block.get("block_id"), MAX_BLOCK_ID)
    kind = block.get("type")
    if kind == "header":
        if block.get("text", {}).get("type") != "plain_text":
            out.append("header text must be plain_text")
        _max_len(out, "text", block.get("text", {}).get("text"), MAX_HEADER_TEXT)
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            out.append("section needs text or fields")
        _max_len(out, "text", (block.get("text") or {}).get("text"), MAX_SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > MAX_SECTION_FIELDS:
            out.append(f"fields: {len(fields)} > {MAX_SECTION_FIELDS}")
        for j, f in enumerate(fields):
            _max_len(out, f"fields[{j}]", f.get("text"), MAX_FIELD_TEXT)
        if "accessory" in block:
            out.extend(_element_violations(block["accessory"], "accessory"))
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
            out.append(f"elements: {len(elements)} not in 1..{MAX_ACTIONS_ELEMENTS}")
        for j, e in enumerate(elements):
            out.extend(_element_violations(e, f"elements[{j}]"))
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            out.append(f"elements: {len(elements)} not in 1..{MAX_CONTEXT_ELEMENTS}")
        for j, e in enumerate(elements):
            _max_len(out, f"elements[{j}]", e.get("text"), MAX_TEXT_OBJECT)
    elif kind not in ("divider", "image", "rich_text", "input", "file", "video"):
        out.append(f"unknown block type {kind!r}")
    return out


def _element_violations(element: Mapping[str, Any], where: str) -> list[str]:
    out: list[str] = []
    _max_len(out, f"{where}.action_id", element.get("action_id"), MAX_ACTION_ID)
    if element.get("type") == "button":
        label = element.get("text") or {}
        if label.get("type") != "plain_text":
            out.append(f"{where}.text must be plain_text")
        _max_len(out, f"{where}.text", label.get("text"), MAX_BUTTON_TEXT)
        _max_len(out, f"{where}.value", element.get("value"), MAX_BUTTON_VALUE)
        _max_len(out, f"{where}.url", element.get("url"), MAX_BUTTON_URL)
        if element.get("style") not in (None, "primary", "danger"):
            out.append(f"{where}.style must be primary or danger")
        confirm = element.get("confirm")
        if confirm:
            _max_len(out, f"{where}.confirm.title", confirm["title"]["text"], MAX_CONFIRM_TITLE)
            _max_len(out, f"{where}.confirm.text", confirm["text"]["text"], MAX_CONFIRM_TEXT)
            _max_len(out, f"{where}.confirm.confirm", confirm["confirm"]["text"], MAX_CONFIRM_BUTTON)
            _max_len(out, f"{where}.confirm.deny", confirm["deny"]["text"], MAX_CONFIRM_BUTTON)
    return out


def _max_len(out: list[str], name: str, value: object, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        out.append(f"{name}: {len(value)} > {limit} characters")
