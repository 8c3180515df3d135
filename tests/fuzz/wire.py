"""Hypothesis strategies for request bytes, written at the protobuf wire level from a message's
descriptor, so they can be what no generated class would ever serialize: wrong wire types,
invalid UTF-8, unknown enum values and fields, oversized strings, huge repeated fields, deep
nesting, and valid messages with their bytes mutated.
"""

from __future__ import annotations

import functools

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import strategies as st

VARINT, FIXED64, LENGTH, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5
MAX_DEPTH = 3
"""Nesting of known message fields the generator follows before it leaves one empty."""
HUGE_TEXT_CHARS = 30_000
"""An oversized string: beyond every field's limit (policy text takes 20,000 characters)."""
HUGE_REPEAT = 2_000
"""Copies in a huge repeated field."""
DEEP_GROUPS = 150
"""Nested groups in an unknown field: beyond protobuf's recursion limit of 100."""


def varint(value: int) -> bytes:
    """A varint; a negative value as protobuf writes int64 (ten bytes, two's complement)."""
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def tag(number: int, wire_type: int) -> bytes:
    return varint((number << 3) | wire_type)


def length_delimited(number: int, payload: bytes) -> bytes:
    return tag(number, LENGTH) + varint(len(payload)) + payload


_INTEGERS = st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.sampled_from([0, -1, 2**31, 2**32, 2**63 - 1, -(2**63), 2**64 - 1]),
)
_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي ٠١٢٣٤٥٦٧٨٩", max_size=80),
    st.just("x" * HUGE_TEXT_CHARS),
)
_BAD_UTF8 = st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"ok\xf0\x28\x8c\x28", b"\x80"])


@functools.cache
def _scalar(field: FieldDescriptor, depth: int) -> st.SearchStrategy[bytes]:
    """One well-typed value of a field, with its tag."""
    number = field.number
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return _TEXT.map(lambda text: length_delimited(number, text.encode()))
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64).map(lambda data: length_delimited(number, data))
    if kind == FieldDescriptor.TYPE_MESSAGE:
        if depth >= MAX_DEPTH:
            return st.just(length_delimited(number, b""))
        nested = field.message_type
        assert nested is not None
        return message(nested, depth + 1).map(lambda data: length_delimited(number, data))
    if kind == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        known = [value.number for value in field.enum_type.values]
        values = st.one_of(st.sampled_from(known), st.integers(-5, 1000))
        return values.map(lambda value: tag(number, VARINT) + varint(value))
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.sampled_from([0, 1, 2, 2**40]).map(
            lambda value: tag(number, VARINT) + varint(value)
        )
    if kind in (
        FieldDescriptor.TYPE_DOUBLE,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
    ):
        return st.binary(min_size=8, max_size=8).map(lambda data: tag(number, FIXED64) + data)
    if kind in (
        FieldDescriptor.TYPE_FLOAT,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_SFIXED32,
    ):
        return st.binary(min_size=4, max_size=4).map(lambda data: tag(number, FIXED32) + data)
    return _INTEGERS.map(lambda value: tag(number, VARINT) + varint(value))


@functools.cache
def _wrong_type(field: FieldDescriptor) -> st.SearchStrategy[bytes]:
    """A value of the field under another wire type than its own."""
    number = field.number
    return st.one_of(
        _INTEGERS.map(lambda value: tag(number, VARINT) + varint(value)),
        st.binary(max_size=16).map(lambda data: length_delimited(number, data)),
        st.binary(min_size=8, max_size=8).map(lambda data: tag(number, FIXED64) + data),
        st.binary(min_size=4, max_size=4).map(lambda data: tag(number, FIXED32) + data),
        st.just(tag(number, START_GROUP) + tag(number, END_GROUP)),
    )


def _smallest(field: FieldDescriptor) -> bytes:
    """A short well-typed value of a field, with its tag, to repeat many times."""
    kind = field.type
    if kind in (
        FieldDescriptor.TYPE_STRING,
        FieldDescriptor.TYPE_BYTES,
        FieldDescriptor.TYPE_MESSAGE,
    ):
        return length_delimited(field.number, b"" if kind == FieldDescriptor.TYPE_MESSAGE else b"x")
    if kind in (
        FieldDescriptor.TYPE_DOUBLE,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
    ):
        return tag(field.number, FIXED64) + bytes(8)
    if kind in (
        FieldDescriptor.TYPE_FLOAT,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_SFIXED32,
    ):
        return tag(field.number, FIXED32) + bytes(4)
    return tag(field.number, VARINT) + varint(1)


@functools.cache
def _field(field: FieldDescriptor, depth: int) -> st.SearchStrategy[bytes]:
    """A field as a fuzzer writes it: mostly right, sometimes wrong in each way it can be."""
    choices = [_scalar(field, depth), _wrong_type(field)]
    if field.type == FieldDescriptor.TYPE_STRING:
        choices.append(_BAD_UTF8.map(lambda data: length_delimited(field.number, data)))
    if field.is_repeated:
        many = 3 if field.type == FieldDescriptor.TYPE_MESSAGE else 6
        choices.append(st.lists(_scalar(field, depth), min_size=2, max_size=many).map(b"".join))
        choices.append(st.just(_smallest(field) * HUGE_REPEAT))
    return st.one_of(*choices)


_UNKNOWN = st.one_of(
    st.tuples(st.integers(100, 2**29 - 1), st.binary(max_size=32)).map(
        lambda pair: length_delimited(*pair)
    ),
    st.integers(100, 10_000).map(
        lambda number: tag(number, START_GROUP) * DEEP_GROUPS + tag(number, END_GROUP) * DEEP_GROUPS
    ),
)
"""Fields the message does not declare: a blob, or groups nested past the recursion limit."""


@functools.cache
def message(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[bytes]:
    """The bytes of a message of this type, right or wrong (see the module docstring)."""
    fields = list(descriptor.fields)
    if not fields:
        return st.lists(_UNKNOWN, max_size=2).map(b"".join)
    chosen = st.lists(st.sampled_from(fields), max_size=min(len(fields) + 2, 8 >> depth))
    return chosen.flatmap(
        lambda picked: st.tuples(
            *(_field(field, depth) for field in picked), st.lists(_UNKNOWN, max_size=1)
        ).map(lambda parts: b"".join([*parts[:-1], *parts[-1]]))
    )


@functools.cache
def mutated(descriptor: Descriptor) -> st.SearchStrategy[bytes]:
    """A message's bytes with a cut, a flipped byte or inserted bytes."""

    def mutate(data: bytes, operation: str, position: int, noise: bytes) -> bytes:
        index = position % (len(data) + 1)
        if operation == "truncate":
            return data[:index]
        if operation == "flip" and data:
            spot = index % len(data)
            return data[:spot] + bytes([data[spot] ^ 0xFF]) + data[spot + 1 :]
        return data[:index] + noise + data[index:]

    return st.builds(
        mutate,
        message(descriptor),
        st.sampled_from(["truncate", "flip", "insert"]),
        st.integers(0, 1 << 16),
        st.binary(min_size=1, max_size=8),
    )


@functools.cache
def request_bytes(
    descriptor: Descriptor, bases: st.SearchStrategy[bytes] | None = None
) -> st.SearchStrategy[bytes]:
    """What the fuzz suite sends: generated messages, mutated ones, random bytes, and, with
    valid base messages, such a message with generated fields after it (a later value of a
    field wins), so most of them get past validation to the code behind it."""
    choices = [message(descriptor), mutated(descriptor), st.binary(max_size=256)]
    if bases is not None:
        overlaid = st.tuples(bases, message(descriptor)).map(b"".join)
        choices += [bases, overlaid, overlaid]
    return st.one_of(*choices)
