"""Schemas shaped like Sanad's analysis, in both dialects the providers accept."""

from __future__ import annotations

from typing import Any

# JSON Schema as OpenAI strict structured output wants it (every property required,
# additionalProperties false), with the keywords the generator must honour.
ANALYSIS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["policy_match", "compliance_report", "improved_policy"],
    "properties": {
        "policy_match": {
            "type": "object",
            "additionalProperties": False,
            "required": ["is_matched", "confidence", "detected_type"],
            "properties": {
                "is_matched": {"type": "boolean"},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "detected_type": {
                    "type": "string",
                    "enum": ["return_exchange", "shipping_delivery", "privacy_account"],
                },
            },
        },
        "compliance_report": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "overall_compliance_ratio",
                "compliance_grade",
                "critical_issues",
                "strengths",
                "summary",
            ],
            "properties": {
                "overall_compliance_ratio": {"type": "number", "minimum": 0, "maximum": 100},
                "compliance_grade": {"type": "string", "enum": ["A", "B", "C", "D", "F"]},
                "critical_issues": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 4,
                    "items": {"$ref": "#/$defs/issue"},
                },
                "strengths": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 10},
                    "minItems": 2,
                    "maxItems": 2,
                    "uniqueItems": True,
                },
                "summary": {"type": "string", "minLength": 80, "maxLength": 400},
            },
        },
        "improved_policy": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "$defs": {
        "issue": {
            "type": "object",
            "additionalProperties": False,
            "required": ["phrase", "severity", "suggestion", "legal_reference", "article"],
            "properties": {
                "phrase": {"type": "string"},
                "severity": {"type": "string", "enum": ["high", "medium", "low"]},
                "suggestion": {"type": "string"},
                "legal_reference": {"type": ["string", "null"]},
                "article": {"type": "integer", "exclusiveMinimum": 0, "maximum": 40},
            },
        }
    },
}

# The same shape in Gemini's ``responseSchema`` dialect (OpenAPI subset, upper-case types,
# int64 keywords as strings), and its JSON Schema equivalent to validate answers with.
GEMINI_OPENAPI_SCHEMA: dict[str, Any] = {
    "type": "OBJECT",
    "required": ["grade", "ratio", "issues"],
    "propertyOrdering": ["issues", "grade", "ratio", "note"],
    "properties": {
        "grade": {"type": "STRING", "enum": ["A", "B", "C"]},
        "ratio": {"type": "NUMBER", "minimum": 0, "maximum": 100},
        "note": {"type": "STRING", "nullable": True},
        "issues": {
            "type": "ARRAY",
            "minItems": "1",
            "maxItems": "3",
            "items": {
                "type": "OBJECT",
                "required": ["phrase", "severity"],
                "properties": {
                    "phrase": {"type": "STRING"},
                    "severity": {"type": "STRING", "enum": ["high", "low"]},
                },
            },
        },
    },
}

GEMINI_OPENAPI_AS_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["grade", "ratio", "issues"],
    "properties": {
        "grade": {"type": "string", "enum": ["A", "B", "C"]},
        "ratio": {"type": "number", "minimum": 0, "maximum": 100},
        "note": {"type": ["string", "null"]},
        "issues": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "required": ["phrase", "severity"],
                "properties": {
                    "phrase": {"type": "string"},
                    "severity": {"type": "string", "enum": ["high", "low"]},
                },
            },
        },
    },
}
