"""The degraded answer: a stored analysis served for this request when no provider answered.

It is labelled as what it is (SOURCE_DEGRADED_SIMILAR, its similarity, the note in Arabic
and English, the analysis it came from) and speaks of the caller's shop: where the stored
analysis names the shop it was made for, the caller's shop name takes its place.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeVar

import structlog
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.caches import DegradedMatch, ShopFields
from sanad_analyzer.deadline import Deadline
from sanad_common.proto_time import now

T = TypeVar("T")
log = structlog.get_logger(__name__)

DEGRADED_NOTE = analyzer_pb2.LocalizedNote(
    ar="تم استرجاع تحليل مشابه من الذاكرة المؤقتة",
    en="A similar analysis was retrieved from cache",
)


def _replace_in_strings(message: Message, old: str, new: str) -> None:
    """Replace old by new in every string field of message and its sub-messages."""
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_STRING:
            if field.is_repeated:
                replaced = [item.replace(old, new) for item in value]
                del value[:]
                value.extend(replaced)
            else:
                setattr(message, field.name, value.replace(old, new))
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in value if field.is_repeated else [value]:
                _replace_in_strings(item, old, new)


def degraded_answer(
    match: DegradedMatch,
    caller: ShopFields,
    attempts: list[analyzer_pb2.ProviderAttempt],
) -> analyzer_pb2.AnalyzeResponse:
    """The stored answer of match, relabelled and addressed to the caller's shop."""
    stored = match.answer.response
    response = analyzer_pb2.AnalyzeResponse()
    response.CopyFrom(stored)
    response.source = analyzer_pb2.SOURCE_DEGRADED_SIMILAR
    response.similarity = round(match.similarity, 4)
    response.note.CopyFrom(DEGRADED_NOTE)
    response.degraded_from.analysis_id = stored.analysis_id
    response.degraded_from.analyzed_at.CopyFrom(stored.analyzed_at)
    # Rule findings describe the stored text; the rules layer adds this text's own.
    del response.rule_findings[:]
    del response.attempts[:]
    response.attempts.extend(attempts)
    original = match.answer.shop
    for old, new in (
        (original.name, caller.name),
        (original.specialization, caller.specialization),
    ):
        if old and new and old != new:
            _replace_in_strings(response.analysis, old, new)
    response.responded_at.CopyFrom(now())
    return response


async def before_deadline(lookup: Awaitable[T | None], deadline: Deadline) -> T | None:
    """The lookup's result, or None when the caller's deadline passes first: a degraded
    answer that would arrive after the caller stopped waiting is no answer."""
    try:
        return await asyncio.wait_for(lookup, timeout=max(deadline.at - time.monotonic(), 0.0))
    except TimeoutError:
        log.warning("degradation lookup stopped at the caller's deadline")
        return None
