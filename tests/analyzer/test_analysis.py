"""The analysis contract: schema shape, validation and the proto round trip."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.analysis import (
    ANALYSIS_JSON_SCHEMA,
    GRADES,
    SCHEMA_KEYWORDS,
    SEVERITIES,
    InvalidAnalysisError,
    analysis_from_proto,
    analysis_to_proto,
    parse_analysis,
    validate_analysis,
)
from tests.analyzer.providers.support import valid_analysis

# Keywords OpenAI strict structured outputs accept (the ones this schema may use).
_OPENAI_STRICT_KEYWORDS = {
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "minimum",
    "maximum",
}
# Keywords Gemini's response_json_schema documents as supported.
_GEMINI_KEYWORDS = {
    "$id",
    "$defs",
    "$ref",
    "$anchor",
    "type",
    "format",
    "title",
    "description",
    "enum",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "anyOf",
    "oneOf",
    "properties",
    "additionalProperties",
    "required",
}


def _nodes(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for child in schema.get("properties", {}).values():
        yield from _nodes(child)
    if "items" in schema:
        yield from _nodes(schema["items"])


def test_schema_is_valid_json_schema() -> None:
    Draft202012Validator.check_schema(ANALYSIS_JSON_SCHEMA)


def test_schema_satisfies_openai_strict_mode() -> None:
    for node in _nodes(ANALYSIS_JSON_SCHEMA):
        assert set(node) <= _OPENAI_STRICT_KEYWORDS, node
        if node["type"] == "object":
            assert node["additionalProperties"] is False
            assert node["required"] == list(node["properties"])
        if node["type"] == "array":
            assert "items" in node


def test_schema_uses_only_keywords_the_validator_checks() -> None:
    for node in _nodes(ANALYSIS_JSON_SCHEMA):
        assert set(node) <= SCHEMA_KEYWORDS, set(node) - SCHEMA_KEYWORDS


def test_schema_uses_only_gemini_keywords() -> None:
    for node in _nodes(ANALYSIS_JSON_SCHEMA):
        assert set(node) <= _GEMINI_KEYWORDS, node


def test_schema_is_json_serialisable() -> None:
    assert json.loads(json.dumps(ANALYSIS_JSON_SCHEMA)) == ANALYSIS_JSON_SCHEMA


def _assert_mirrors(schema: dict[str, Any], descriptor: Descriptor) -> None:
    assert list(schema["properties"]) == [field.name for field in descriptor.fields]
    for field in descriptor.fields:
        child = schema["properties"][field.name]
        if field.is_repeated:
            assert child["type"] == "array"
            child = child["items"]
        if field.message_type is not None:
            _assert_mirrors(child, field.message_type)


def test_schema_mirrors_the_proto_analysis() -> None:
    _assert_mirrors(ANALYSIS_JSON_SCHEMA, analyzer_pb2.Analysis.DESCRIPTOR)


def test_severity_enum_matches_the_proto() -> None:
    names = [value.name for value in analyzer_pb2.Severity.DESCRIPTOR.values]
    assert names[0] == "SEVERITY_UNSPECIFIED"
    assert [name.removeprefix("SEVERITY_").lower() for name in names[1:]] == list(SEVERITIES)


def test_valid_analysis_passes() -> None:
    assert validate_analysis(valid_analysis()) == valid_analysis()


def test_validation_returns_a_copy_with_float_numbers() -> None:
    data = valid_analysis()
    data["policy_match"]["confidence"] = 1
    data["compliance_report"]["overall_compliance_ratio"] = 80

    result = validate_analysis(data)

    assert isinstance(result["policy_match"]["confidence"], float)
    assert isinstance(result["compliance_report"]["overall_compliance_ratio"], float)
    assert data["policy_match"]["confidence"] == 1
    assert type(data["policy_match"]["confidence"]) is int


def _broken(path: str, value: Any) -> dict[str, Any]:
    """A valid analysis with one value replaced (``...`` deletes the key)."""
    data = valid_analysis()
    *parents, key = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return data


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (_broken("policy_match", ...), "policy_match"),
        (_broken("improved_policy", ...), "improved_policy"),
        (_broken("extra", "field"), "extra"),
        (_broken("policy_match.confidence", 1.5), "confidence"),
        (_broken("policy_match.confidence", -0.1), "confidence"),
        (_broken("policy_match.confidence", "high"), "confidence"),
        (_broken("policy_match.is_match", "yes"), "is_match"),
        (_broken("compliance_report.overall_compliance_ratio", 101), "overall_compliance_ratio"),
        (_broken("compliance_report.compliance_grade", "E"), "compliance_grade"),
        (_broken("compliance_report.critical_issues.0.severity", "urgent"), "severity"),
        (_broken("compliance_report.critical_issues.0.phrase", ...), "phrase"),
        (_broken("compliance_report.critical_issues.0.note", "x"), "note"),
        (_broken("compliance_report.strengths", "just one"), "strengths"),
        (_broken("compliance_report.weaknesses", [1]), "weaknesses"),
        (_broken("compliance_report.summary", None), "summary"),
    ],
)
def test_schema_violations_are_named(data: dict[str, Any], where: str) -> None:
    with pytest.raises(InvalidAnalysisError, match=where):
        validate_analysis(data)


@pytest.mark.parametrize("data", [None, [], "analysis", 42])
def test_non_objects_are_invalid(data: object) -> None:
    with pytest.raises(InvalidAnalysisError):
        validate_analysis(data)


@pytest.mark.parametrize(
    "path", ["policy_match.confidence", "compliance_report.overall_compliance_ratio"]
)
def test_nan_is_invalid(path: str) -> None:
    """JSON Schema bounds let NaN through; the analysis must not."""
    with pytest.raises(InvalidAnalysisError, match="finite"):
        validate_analysis(_broken(path, float("nan")))


def test_infinity_is_invalid() -> None:
    with pytest.raises(InvalidAnalysisError):
        validate_analysis(_broken("policy_match.confidence", float("inf")))


def test_lone_surrogates_are_invalid() -> None:
    """A JSON escape like "\\ud800" parses in Python but cannot be encoded for protobuf."""
    with pytest.raises(InvalidAnalysisError, match="Unicode"):
        parse_analysis(
            json.dumps(_broken("compliance_report.summary", "\ud800")),
            include_improved_policy=False,
        )


@pytest.mark.parametrize(
    "text", ["", "not json", '{"policy_match": ', "```json\n{}\n```", "[" * 100_000]
)
def test_parse_rejects_non_json(text: str) -> None:
    with pytest.raises(InvalidAnalysisError, match="not JSON"):
        parse_analysis(text, include_improved_policy=False)


def test_parse_drops_an_unrequested_improved_policy() -> None:
    text = json.dumps(_broken("improved_policy", "نص محسّن"))

    assert parse_analysis(text, include_improved_policy=False)["improved_policy"] == ""
    assert parse_analysis(text, include_improved_policy=True)["improved_policy"] == "نص محسّن"


def test_to_proto_maps_every_field() -> None:
    message = analysis_to_proto(valid_analysis())

    assert message.policy_match.is_match is True
    assert message.policy_match.confidence == 0.95
    assert message.compliance_report.compliance_grade == "F"
    issue = message.compliance_report.critical_issues[0]
    assert issue.severity == analyzer_pb2.SEVERITY_CRITICAL
    assert issue.phrase == "خلال 3 أيام فقط"
    assert list(message.compliance_report.recommendations) == [
        "تحديد مدة 7 أيام من الاستلام.",
        "توضيح طريقة الاسترداد ومدته.",
    ]


def test_invalid_data_stops_at_validation_before_it_reaches_the_wire_form() -> None:
    with pytest.raises(InvalidAnalysisError):
        analysis_to_proto(validate_analysis(_broken("policy_match", ...)))


def test_from_proto_rejects_unspecified_severity() -> None:
    message = analysis_to_proto(valid_analysis())
    message.compliance_report.critical_issues[0].severity = analyzer_pb2.SEVERITY_UNSPECIFIED

    with pytest.raises(InvalidAnalysisError, match="severity"):
        analysis_from_proto(message)


def test_from_proto_rejects_an_empty_message() -> None:
    with pytest.raises(InvalidAnalysisError, match="compliance_grade"):
        analysis_from_proto(analyzer_pb2.Analysis())


# Text protobuf can carry: any Unicode scalar value, so no lone surrogates.
_text = st.text(st.characters(codec="utf-8"), max_size=40)
_texts = st.lists(_text, max_size=4)


def _number(low: int, high: int) -> st.SearchStrategy[float | int]:
    return st.integers(low, high) | st.floats(low, high, allow_nan=False)


_analyses = st.fixed_dictionaries(
    {
        "policy_match": st.fixed_dictionaries(
            {"is_match": st.booleans(), "confidence": _number(0, 1), "reason": _text}
        ),
        "compliance_report": st.fixed_dictionaries(
            {
                "overall_compliance_ratio": _number(0, 100),
                "compliance_grade": st.sampled_from(GRADES),
                "critical_issues": st.lists(
                    st.fixed_dictionaries(
                        {
                            "issue": _text,
                            "phrase": _text,
                            "severity": st.sampled_from(SEVERITIES),
                            "suggestion": _text,
                            "legal_reference": _text,
                        }
                    ),
                    max_size=3,
                ),
                "strengths": _texts,
                "weaknesses": _texts,
                "ambiguities": _texts,
                "summary": _text,
                "recommendations": _texts,
            }
        ),
        "improved_policy": _text,
    }
)


@given(_analyses)
def test_proto_round_trip_is_exact(data: dict[str, Any]) -> None:
    valid = validate_analysis(data)
    message = analysis_to_proto(data)
    wire = analyzer_pb2.Analysis.FromString(message.SerializeToString())

    assert analysis_from_proto(wire) == valid


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 200)
    | st.floats(-5, 200, allow_nan=False)
    | st.sampled_from([*GRADES, *SEVERITIES, "E", ""]),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.sampled_from(["x", "issue"]), inner, max_size=2)
    ),
    max_leaves=4,
)


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*prefix, index))


@given(_analyses, st.data())
def test_validation_agrees_with_json_schema_on_any_one_change(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    """The analyzer's own validator accepts exactly what a full JSON Schema validator accepts:
    one value replaced, a key deleted or a key added anywhere in a valid analysis."""
    path = draw.draw(st.sampled_from([path for path in _paths(data) if path]))
    *parents, last = path
    node: Any = data
    for part in parents:
        node = node[part]
    change = draw.draw(st.sampled_from(["replace", "delete", "add"]))
    if change == "replace":
        node[last] = draw.draw(_json_values)
    elif change == "delete" and isinstance(node, dict):
        del node[last]
    elif isinstance(node, dict):
        node["unexpected"] = draw.draw(_json_values)
    reference = Draft202012Validator(ANALYSIS_JSON_SCHEMA).is_valid(data)
    try:
        validate_analysis(data)
    except InvalidAnalysisError:
        assert not reference
    else:
        assert reference
