"""The generator: schema-valid, deterministic, readable, in both schema dialects."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from sanad_emulator.schema_fill import fill, seed_from, violate
from tests.emulator.schemas import (
    ANALYSIS_SCHEMA,
    GEMINI_OPENAPI_AS_JSON_SCHEMA,
    GEMINI_OPENAPI_SCHEMA,
)


def _validate(schema: dict[str, Any], value: Any) -> None:
    jsonschema.Draft202012Validator(schema).validate(value)


def test_analysis_answers_validate_for_many_seeds() -> None:
    for seed in range(200):
        _validate(ANALYSIS_SCHEMA, fill(ANALYSIS_SCHEMA, seed))


def test_gemini_openapi_dialect_validates() -> None:
    for seed in range(100):
        value = fill(GEMINI_OPENAPI_SCHEMA, seed)
        _validate(GEMINI_OPENAPI_AS_JSON_SCHEMA, value)
        assert list(value) == ["issues", "grade", "ratio", "note"]  # propertyOrdering kept
        assert isinstance(value["note"], str)  # nullable fields still get a value


def test_same_seed_same_value_and_different_seed_differs() -> None:
    first = fill(ANALYSIS_SCHEMA, seed_from([{"role": "user", "content": "policy A"}]))
    again = fill(ANALYSIS_SCHEMA, seed_from([{"role": "user", "content": "policy A"}]))
    other = fill(ANALYSIS_SCHEMA, seed_from([{"role": "user", "content": "policy B"}]))
    assert first == again
    assert first != other


def test_seed_ignores_key_order() -> None:
    assert seed_from({"a": 1, "b": [1, 2]}) == seed_from({"b": [1, 2], "a": 1})


def test_strings_are_labelled_by_their_property() -> None:
    value = fill(ANALYSIS_SCHEMA, 7)
    issue = value["compliance_report"]["critical_issues"][0]
    assert issue["phrase"].startswith("Phrase: ")
    assert issue["suggestion"].startswith("Suggestion: ")
    assert value["compliance_report"]["strengths"][0].startswith("Strength 1: ")


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "minimum": 3, "maximum": 3},
        {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2},
        {"type": "integer", "minimum": 10, "multipleOf": 5},
        {"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.51},
        {"type": "number", "maximum": -5},
        {"type": "string", "minLength": 500},
        {"type": "string", "maxLength": 4},
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "email"},
        {"type": "string", "format": "uuid"},
        {"type": "array", "items": {"type": "boolean"}, "maxItems": 0},
        {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 2, "uniqueItems": True},
        {"const": "fixed"},
        {"type": "null"},
        {"oneOf": [{"type": "null"}, {"type": "integer", "minimum": 1}]},
        {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}]},
        {"properties": {"inferred": {"type": "boolean"}}, "required": ["inferred"]},
        {"type": ["null", "number"], "minimum": 1, "maximum": 2},
    ],
)
def test_keywords_are_honoured(schema: dict[str, Any]) -> None:
    for seed in range(20):
        _validate(schema, fill(schema, seed))


def test_recursive_schema_terminates() -> None:
    schema = {
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                "required": ["children"],
            }
        },
    }
    _validate(schema, fill(schema, 1))


@pytest.mark.parametrize(
    "schema",
    [
        ANALYSIS_SCHEMA,
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"type": "string"},
    ],
)
def test_violate_breaks_the_schema_but_stays_json(schema: dict[str, Any]) -> None:
    broken = violate(schema, fill(schema, 3))
    with pytest.raises(jsonschema.ValidationError):
        _validate(schema, broken)
