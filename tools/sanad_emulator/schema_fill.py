"""Deterministic, schema-honouring answers for the emulated providers.

The emulator has no model, so it answers with a value generated from the JSON schema the
caller sent. The value is seeded from a hash of the request's messages, so the same input
always gets the same "analysis" (what idempotency and degradation tests need), and strings
are readable sentences labelled by their property name, not random junk.

Both dialects are understood: JSON Schema (OpenAI ``json_schema``, Gemini
``responseJsonSchema``) and Gemini's OpenAPI subset (``responseSchema``: upper-case types,
``nullable``, int64 bounds sent as strings, ``propertyOrdering``). Supported keywords:
``$ref`` to local definitions, ``allOf`` (merged), ``anyOf``/``oneOf`` (one non-null
branch), ``const``, ``enum``, object ``properties``/``required``, array ``items`` with
``minItems``/``maxItems``/``uniqueItems``, string ``minLength``/``maxLength``/``format``,
number and integer bounds (inclusive and exclusive) and integer ``multipleOf``.
``pattern`` and fractional ``multipleOf`` are not honoured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

Schema = Mapping[str, Any]

_MAX_DEPTH: Final = 12
_DEFAULT_MAX_ITEMS: Final = 3
_EPOCH: Final = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

_SENTENCES: Final = (
    "Customers may return unused items within seven days of delivery.",
    "Refunds are issued to the original payment method within fourteen days.",
    "The policy does not say who pays for return shipping.",
    "Exchanges require proof of purchase and the original packaging.",
    "Delivery times are stated for each region served by the store.",
    "Personal data is used only to process orders and is not sold.",
    "Customers can ask for their account and data to be deleted.",
    "Damaged or defective items are replaced at no cost to the customer.",
    "The text names a support channel for questions and complaints.",
    "Sale items are excluded from returns, which needs a clear legal basis.",
)


def seed_from(payload: object) -> int:
    """A stable 64-bit seed from any JSON-serialisable request content."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big")


def fill(schema: Schema, seed: int) -> Any:
    """Generate a value that validates against ``schema``; the same seed gives the same value."""
    return _Filler(schema, random.Random(seed)).value(schema, "value", None, 0)


def violate(schema: Schema, value: Any) -> Any:
    """Turn a valid value into one that breaks ``schema`` while still being JSON.

    Drops a required property when there is one, otherwise changes the top-level type.
    """
    resolved = _Filler(schema, random.Random(0)).resolve(schema)
    if isinstance(value, dict):
        missing = [key for key in resolved.get("required") or () if key in value]
        if missing:
            return {key: item for key, item in value.items() if key != missing[0]}
        return [value]
    return {"unexpected": value}


def readable_text(seed: int) -> str:
    """A short free-text answer, for requests that ask for no structured output."""
    rng = random.Random(seed)
    return " ".join(rng.sample(_SENTENCES, 3))


class _Filler:
    def __init__(self, root: Schema, rng: random.Random) -> None:
        self._root = root
        self._rng = rng

    def resolve(self, schema: Schema) -> Schema:
        """Inline ``$ref`` and merge ``allOf`` so the rest only sees plain keywords."""
        for _ in range(_MAX_DEPTH):
            ref = schema.get("$ref")
            if isinstance(ref, str):
                rest = {key: item for key, item in schema.items() if key != "$ref"}
                schema = {**self._lookup(ref), **rest}
                continue
            parts = schema.get("allOf")
            if isinstance(parts, list):
                merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
                for part in parts:
                    merged = _merge(merged, self.resolve(part))
                schema = merged
                continue
            return schema
        return schema

    def _lookup(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            return {}
        node: Any = self._root
        for token in ref.lstrip("#").strip("/").split("/"):
            if not token:
                continue
            key = token.replace("~1", "/").replace("~0", "~")
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        return node if isinstance(node, Mapping) else {}

    def value(self, schema: Schema, name: str, index: int | None, depth: int) -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            choices = [item for item in enum if item is not None] or enum
            return self._rng.choice(choices)
        for keyword in ("anyOf", "oneOf"):
            options = schema.get(keyword)
            if isinstance(options, list) and options:
                concrete = [o for o in options if "null" not in _types(self.resolve(o))]
                if not concrete:
                    return None
                return self.value(self._rng.choice(concrete), name, index, depth)
        kinds = [kind for kind in _types(schema) if kind != "null"]
        if not kinds:
            return None if _types(schema) == ["null"] else self._string(schema, name, index)
        kind = kinds[0]
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "integer":
            return self._number(schema, integer=True)
        if kind == "number":
            return self._number(schema, integer=False)
        if kind == "boolean":
            return self._rng.random() < 0.5
        return self._string(schema, name, index)

    def _object(self, schema: Schema, depth: int) -> dict[str, Any]:
        properties: Schema = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        ordering = schema.get("propertyOrdering") or schema.get("property_ordering") or []
        keys = [key for key in ordering if key in properties]
        keys += [key for key in properties if key not in keys]
        keys += sorted(key for key in required if key not in properties)
        shallow = depth < _MAX_DEPTH
        return {
            key: self.value(properties.get(key, {}), key, None, depth + 1)
            for key in keys
            if shallow or key in required
        }

    def _array(self, schema: Schema, name: str, depth: int) -> list[Any]:
        low = _as_int(schema.get("minItems")) or 0
        high = _as_int(schema.get("maxItems"))
        if high is None:
            high = max(low, _DEFAULT_MAX_ITEMS)
        count = low if depth >= _MAX_DEPTH else self._rng.randint(min(max(low, 1), high), high)
        items = schema.get("items")
        item_schema: Schema = items if isinstance(items, Mapping) else {}
        item_name = _singular(name)
        values: list[Any] = []
        seen: set[str] = set()
        unique = bool(schema.get("uniqueItems"))
        for _ in range(count * 8):
            if len(values) == count:
                break
            item = self.value(item_schema, item_name, len(values) + 1, depth + 1)
            key = json.dumps(item, sort_keys=True)
            if unique and key in seen:
                continue
            seen.add(key)
            values.append(item)
        return values

    def _number(self, schema: Schema, *, integer: bool) -> int | float:
        low, low_open = _bound(schema, "minimum", "exclusiveMinimum")
        high, high_open = _bound(schema, "maximum", "exclusiveMaximum")
        if low is None:
            low = 0.0 if high is None else high - 100.0
        if high is None:
            high = low + 100.0
        step = _as_int(schema.get("multipleOf"))
        if integer or step:
            unit = step if step and step > 0 else 1
            first = math.ceil(low / unit) + (1 if low_open and (low / unit).is_integer() else 0)
            last = math.floor(high / unit) - (1 if high_open and (high / unit).is_integer() else 0)
            return self._rng.randint(first, max(first, last)) * unit
        candidate = round(self._rng.uniform(low, high), 2)
        too_low = candidate < low or (low_open and candidate == low)
        too_high = candidate > high or (high_open and candidate == high)
        return (low + high) / 2 if too_low or too_high else candidate

    def _string(self, schema: Schema, name: str, index: int | None) -> str:
        text = self._formatted(schema.get("format"), name)
        if text is None:
            label = _label(name) + (f" {index}" if index is not None else "")
            text = f"{label}: {self._rng.choice(_SENTENCES)}"
            minimum = _as_int(schema.get("minLength")) or 0
            while len(text) < minimum:
                text = f"{text} {self._rng.choice(_SENTENCES)}"
        maximum = _as_int(schema.get("maxLength"))
        if maximum is not None:
            text = text[:maximum]
        return text

    def _formatted(self, fmt: object, name: str) -> str | None:
        moment = _EPOCH + dt.timedelta(minutes=self._rng.randrange(365 * 24 * 60))
        slug = re.sub(r"[^a-z0-9]+", "-", _label(name).lower()).strip("-") or "value"
        formats = {
            "date-time": moment.isoformat().replace("+00:00", "Z"),
            "date": moment.date().isoformat(),
            "time": moment.time().isoformat() + "Z",
            "email": f"{slug}@example.com",
            "uri": f"https://example.com/{slug}",
            "url": f"https://example.com/{slug}",
            "uuid": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
        }
        return formats.get(fmt) if isinstance(fmt, str) else None


def _types(schema: Schema) -> list[str]:
    """Declared types, lower-cased (Gemini sends "OBJECT"), or inferred from keywords."""
    declared = schema.get("type")
    if isinstance(declared, str):
        kinds = [declared.lower()]
    elif isinstance(declared, list):
        kinds = [str(kind).lower() for kind in declared]
    elif "properties" in schema:
        kinds = ["object"]
    elif "items" in schema:
        kinds = ["array"]
    else:
        kinds = []
    return [kind for kind in kinds if kind != "type_unspecified"]


def _merge(base: dict[str, Any], extra: Schema) -> dict[str, Any]:
    merged = {**base, **extra}
    merged["properties"] = {**base.get("properties", {}), **extra.get("properties", {})}
    merged["required"] = [*base.get("required", []), *extra.get("required", [])]
    return merged


def _bound(schema: Schema, inclusive: str, exclusive: str) -> tuple[float | None, bool]:
    """The tighter of an inclusive and exclusive bound (draft 4 boolean form included)."""
    value = _as_float(schema.get(inclusive))
    open_value = schema.get(exclusive)
    if isinstance(open_value, bool):
        return value, open_value and value is not None
    other = _as_float(open_value)
    if other is None:
        return value, False
    if value is None:
        return other, True
    tighter_open = other >= value if inclusive == "minimum" else other <= value
    return (other, True) if tighter_open else (value, False)


def _as_int(value: object) -> int | None:
    """Gemini sends int64 keywords such as minItems as JSON strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _label(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    text = " ".join(words.split()).lower()
    return text[:1].upper() + text[1:] if text else "Value"


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name
