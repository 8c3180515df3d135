"""The analysis contract every provider answers to: JSON schema, validation, proto mapping.

One schema serves three purposes: it is sent to the provider as structured output (OpenAI strict
mode, Gemini ``response_json_schema``), the answer is validated against it, and it mirrors the
proto ``Analysis`` field for field so conversion is lossless.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any, Final, cast

from sanad.analyzer.v1 import analyzer_pb2

SEVERITIES: Final = ("low", "medium", "high", "critical")
GRADES: Final = ("A", "B", "C", "D", "F")

_MAX_ERROR_CHARS: Final = 300


def _obj(properties: dict[str, Any], description: str) -> dict[str, Any]:
    """An object node as OpenAI strict mode requires: every property required, nothing extra."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _str(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _strings(description: str) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": {"type": "string"}}


ANALYSIS_JSON_SCHEMA: Final[dict[str, Any]] = _obj(
    {
        "policy_match": _obj(
            {
                "is_match": {
                    "type": "boolean",
                    "description": "True if the text really is the stated policy type.",
                },
                "confidence": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "description": "Confidence of that judgement, 0 to 1.",
                },
                "reason": _str("Why, in one sentence."),
            },
            "Whether the text belongs to the stated policy type.",
        ),
        "compliance_report": _obj(
            {
                "overall_compliance_ratio": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 100,
                    "description": "Overall compliance with consumer-protection rules, 0 to 100.",
                },
                "compliance_grade": {
                    "type": "string",
                    "enum": list(GRADES),
                    "description": "A (90-100), B (80-89), C (70-79), D (60-69), F (below 60).",
                },
                "critical_issues": {
                    "type": "array",
                    "description": "Problems that break or risk breaking a rule.",
                    "items": _obj(
                        {
                            "issue": _str("What is wrong."),
                            "phrase": _str(
                                "The offending phrase quoted exactly from the policy text; "
                                "empty if the problem is something missing."
                            ),
                            "severity": {
                                "type": "string",
                                "enum": list(SEVERITIES),
                                "description": "How serious the issue is.",
                            },
                            "suggestion": _str("How to fix it."),
                            "legal_reference": _str(
                                "The rule it relates to: the citation of a rule listed in the "
                                "instructions, copied exactly, when one applies; otherwise the "
                                "principle in plain words. Never invent a law or an article."
                            ),
                        },
                        "One problem found in the policy.",
                    ),
                },
                "strengths": _strings("What the policy does well."),
                "weaknesses": _strings("What the policy does poorly."),
                "ambiguities": _strings("Phrases that can be read more than one way."),
                "summary": _str("A short summary of the assessment."),
                "recommendations": _strings("Concrete changes to make."),
            },
            "Compliance with consumer-protection rules.",
        ),
        "improved_policy": _str("An improved policy text when requested, otherwise empty."),
    },
    "A compliance analysis of one e-commerce store policy.",
)

SCHEMA_KEYWORDS: Final = frozenset(
    {
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
)
"""The JSON Schema keywords ``_schema_errors`` checks; the schema uses no other
(tests/analyzer/test_analysis.py holds it to that)."""

_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float),
    "boolean": (bool,),
}


def _schema_errors(node: dict[str, Any], value: object, path: str) -> Iterator[str]:
    """The ways ``value`` breaks the schema ``node``, as JSON Schema (draft 2020-12) reads
    the keywords in SCHEMA_KEYWORDS; the first explains the failure.

    A schema this small does not need the jsonschema library, which would hold about 4 MiB of
    the analyzer's memory (docs/decisions.md).
    """
    expected = node["type"]
    # JSON has no booleans among its numbers; Python's bool is an int.
    if not isinstance(value, _TYPES[expected]) or (expected == "number" and type(value) is bool):
        yield f"{path}: {value!r} is not of type {expected!r}"
        return
    if "enum" in node and value not in node["enum"]:
        yield f"{path}: {value!r} is not one of {node['enum']!r}"
    if "minimum" in node and cast(float, value) < node["minimum"]:
        yield f"{path}: {value!r} is less than the minimum of {node['minimum']!r}"
    if "maximum" in node and cast(float, value) > node["maximum"]:
        yield f"{path}: {value!r} is greater than the maximum of {node['maximum']!r}"
    if expected == "object":
        fields = cast(dict[str, Any], value)
        for name in node["required"]:
            if name not in fields:
                yield f"{path}: {name!r} is a required property"
        properties = node["properties"]
        extra = sorted(str(name) for name in fields if name not in properties)
        if extra and node["additionalProperties"] is False:
            yield f"{path}: additional properties are not allowed ({', '.join(extra)})"
        for name, child in properties.items():
            if name in fields:
                yield from _schema_errors(child, fields[name], f"{path}.{name}")
    elif expected == "array":
        for index, item in enumerate(cast(list[Any], value)):
            yield from _schema_errors(node["items"], item, f"{path}[{index}]")


SEVERITY_TO_PROTO: Final[dict[str, analyzer_pb2.Severity.ValueType]] = {
    "low": analyzer_pb2.SEVERITY_LOW,
    "medium": analyzer_pb2.SEVERITY_MEDIUM,
    "high": analyzer_pb2.SEVERITY_HIGH,
    "critical": analyzer_pb2.SEVERITY_CRITICAL,
}
_SEVERITY_FROM_PROTO: Final = {value: name for name, value in SEVERITY_TO_PROTO.items()}


class InvalidAnalysisError(ValueError):
    """An analysis that does not satisfy the schema; a provider answering this has failed."""


def validate_analysis(data: object) -> dict[str, Any]:
    """A validated copy of ``data``, numbers as floats; raise InvalidAnalysisError otherwise.

    Beyond the schema, numbers must be finite (JSON Schema lets NaN through every bound) and
    text must be encodable as UTF-8 (a lone surrogate would only fail later, in protobuf).
    """
    error = next(_schema_errors(ANALYSIS_JSON_SCHEMA, data, "$"), None)
    if error is not None:
        raise InvalidAnalysisError(_clip(error))
    try:
        json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidAnalysisError("text is not valid Unicode (lone surrogate)") from None
    except ValueError:
        raise InvalidAnalysisError("numbers must be finite") from None
    result = copy.deepcopy(cast("dict[str, Any]", data))  # the schema's root is an object
    match = result["policy_match"]
    match["confidence"] = float(match["confidence"])
    report = result["compliance_report"]
    report["overall_compliance_ratio"] = float(report["overall_compliance_ratio"])
    return result


def parse_analysis(text: str, *, include_improved_policy: bool) -> dict[str, Any]:
    """Parse and validate a provider's JSON text; an unrequested improved policy is dropped."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidAnalysisError(f"not JSON: {exc.msg} at position {exc.pos}") from None
    except RecursionError:
        raise InvalidAnalysisError("not JSON: nested too deeply") from None
    analysis = validate_analysis(data)
    if not include_improved_policy:
        analysis["improved_policy"] = ""
    return analysis


def analysis_to_proto(valid: dict[str, Any]) -> analyzer_pb2.Analysis:
    """The wire form of an analysis that ``validate_analysis`` returned (``parse_analysis``
    does): it is not validated a second time on the request path."""
    match = valid["policy_match"]
    report = valid["compliance_report"]
    return analyzer_pb2.Analysis(
        policy_match=analyzer_pb2.PolicyMatch(
            is_match=match["is_match"],
            confidence=match["confidence"],
            reason=match["reason"],
        ),
        compliance_report=analyzer_pb2.ComplianceReport(
            overall_compliance_ratio=report["overall_compliance_ratio"],
            compliance_grade=report["compliance_grade"],
            critical_issues=[
                analyzer_pb2.CriticalIssue(
                    issue=issue["issue"],
                    phrase=issue["phrase"],
                    severity=SEVERITY_TO_PROTO[issue["severity"]],
                    suggestion=issue["suggestion"],
                    legal_reference=issue["legal_reference"],
                )
                for issue in report["critical_issues"]
            ],
            strengths=report["strengths"],
            weaknesses=report["weaknesses"],
            ambiguities=report["ambiguities"],
            summary=report["summary"],
            recommendations=report["recommendations"],
        ),
        improved_policy=valid["improved_policy"],
    )


def analysis_from_proto(message: analyzer_pb2.Analysis) -> dict[str, Any]:
    """The dict form of a wire analysis; InvalidAnalysisError if it would not be schema-valid."""
    match = message.policy_match
    report = message.compliance_report
    issues = []
    for issue in report.critical_issues:
        severity = _SEVERITY_FROM_PROTO.get(issue.severity)
        if severity is None:
            raise InvalidAnalysisError(
                f"critical issue without a known severity ({issue.severity})"
            )
        issues.append(
            {
                "issue": issue.issue,
                "phrase": issue.phrase,
                "severity": severity,
                "suggestion": issue.suggestion,
                "legal_reference": issue.legal_reference,
            }
        )
    return validate_analysis(
        {
            "policy_match": {
                "is_match": match.is_match,
                "confidence": match.confidence,
                "reason": match.reason,
            },
            "compliance_report": {
                "overall_compliance_ratio": report.overall_compliance_ratio,
                "compliance_grade": report.compliance_grade,
                "critical_issues": issues,
                "strengths": list(report.strengths),
                "weaknesses": list(report.weaknesses),
                "ambiguities": list(report.ambiguities),
                "summary": report.summary,
                "recommendations": list(report.recommendations),
            },
            "improved_policy": message.improved_policy,
        }
    )


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_ERROR_CHARS else text[: _MAX_ERROR_CHARS - 1] + "…"
