"""Redis adapter of the quota port: one Lua script per operation, every key of a call in one
Redis Cluster slot.

Keys are those of ``keys`` (under the store's script namespace): a counter is a string, a
reset marker and a record are hashes, the pending reservations a sorted set and the crossings
a capped list.

Times cross into Lua as whole Unix milliseconds, which a Lua double holds exactly. Every script
takes the same tally block first: KEYS 1..n are the counters, n+1..2n their ``warned`` keys,
then the crossing sequence and log; ARGV 1..4 are n, the two thresholds and now, then five
values per tally (window, start, metric, limit, kept_until).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sanad_common.storage.extension import ScriptHost
from sanad_quota.storage.keys import (
    counter_key,
    crossing_log_key,
    crossing_seq_key,
    idempotency_claim_key,
    pending_key,
    record_key,
    reset_marker_key,
    spend_claim_key,
    warned_key,
)
from sanad_quota.storage.port import (
    CROSSING_LOG_SIZE,
    WITHDRAWN,
    Crossing,
    Reservation,
    ReservationState,
    ReserveOutcome,
    ReserveStatus,
    Settlement,
    SettleOrder,
    SettleOutcome,
    SettleStatus,
    SpendOutcome,
    Tally,
    Thresholds,
    crossing_from_event,
    milliseconds,
)

_PRELUDE = """
local n = tonumber(ARGV[1])
local WARN, CRIT, NOW = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local SEQ, LOG = KEYS[2 * n + 1], KEYS[2 * n + 2]
local OP = 5 + 5 * n
local OPKEY = 2 * n + 3
local function window(i) return ARGV[5 * i] end
local function start(i) return tonumber(ARGV[5 * i + 1]) end
local function metric(i) return ARGV[5 * i + 2] end
local function limit(i) return tonumber(ARGV[5 * i + 3]) end
local function kept(i) return tonumber(ARGV[5 * i + 4]) end
local function value(i) return tonumber(redis.call('GET', KEYS[i]) or '0') end
local function values()
  local out = {}
  for i = 1, n do out[i] = value(i) end
  return out
end
local function level(used, lim)
  if lim < 0 then return 1 end
  if used >= lim then return 4 end
  local ratio = used / lim
  if ratio >= CRIT then return 3 end
  if ratio >= WARN then return 2 end
  return 1
end
local function epoch(key) return tonumber(redis.call('HGET', key, 'epoch') or '0') end
local function reset_at(key) return tonumber(redis.call('HGET', key, 'at') or '-1') end
local function add(i, amount)
  redis.call('INCRBY', KEYS[i], amount)
  redis.call('PEXPIREAT', KEYS[i], kept(i))
end
local crossings = {}
local function announce()
  for i = 1, n do
    local used = value(i)
    local reached = level(used, limit(i))
    if reached > 1 and reached > tonumber(redis.call('GET', KEYS[n + i]) or '1') then
      redis.call('SET', KEYS[n + i], reached, 'PXAT', kept(i))
      local seq = redis.call('INCR', SEQ)
      local event = cjson.encode({seq = seq, window = window(i), start = start(i),
        metric = metric(i), level = reached, used = used, limit = limit(i), at = NOW})
      redis.call('RPUSH', LOG, event)
      redis.call('LTRIM', LOG, -LOG_SIZE, -1)
      crossings[#crossings + 1] = event
    end
  end
end
""".replace("LOG_SIZE", str(CROSSING_LOG_SIZE))

# KEYS: tally block, record, pending, idempotency claim, then one reset marker per tally.
# ARGV after the tally block: token, "1" if the claim is used, request id, estimate, reserved
# at, expires at, window starts (JSON), keep until, then one amount per tally. The record keeps
# the reset epoch of each window, so settling can tell whether a reset wiped the reservation.
RESERVE_LUA = (
    _PRELUDE
    + """
local RECORD, PENDING, CLAIM = KEYS[OPKEY], KEYS[OPKEY + 1], KEYS[OPKEY + 2]
local token, claimed = ARGV[OP], ARGV[OP + 1] == '1'
local keep = tonumber(ARGV[OP + 7])
if claimed then
  local first = redis.call('GET', CLAIM)
  if first == 'WITHDRAWN' then return {'withdrawn', values(), '', -1, {}} end
  if first then return {'repeated', values(), first, -1, {}} end
end
for i = 1, n do
  local amount = tonumber(ARGV[OP + 7 + i])
  if amount > 0 and limit(i) >= 0 and value(i) + amount > limit(i) then
    return {'denied', values(), '', i - 1, {}}
  end
end
local epochs = {}
for i = 1, n do
  add(i, ARGV[OP + 7 + i])
  epochs[window(i)] = epoch(KEYS[OPKEY + 2 + i])
end
redis.call('HSET', RECORD, 'state', 'pending', 'request_id', ARGV[OP + 2],
  'estimated_tokens', ARGV[OP + 3], 'reserved_at', ARGV[OP + 4], 'expires_at', ARGV[OP + 5],
  'window_starts', ARGV[OP + 6], 'actual_tokens', 0, 'epochs', cjson.encode(epochs))
redis.call('PEXPIREAT', RECORD, keep)
redis.call('ZADD', PENDING, ARGV[OP + 5], token)
if claimed then redis.call('SET', CLAIM, token, 'PXAT', keep) end
announce()
return {'granted', values(), token, -1, crossings}
""".replace("WITHDRAWN", WITHDRAWN)
)

# KEYS[1]: an idempotency claim. ARGV: keep until (Unix ms). Returns the token of the
# reservation made under the claim, or '' after leaving (or finding) the tombstone.
WITHDRAW_LUA = """
local first = redis.call('GET', KEYS[1])
if first == 'WITHDRAWN' then return '' end
if first then return first end
redis.call('SET', KEYS[1], 'WITHDRAWN', 'PXAT', ARGV[1])
return ''
""".replace("WITHDRAWN", WITHDRAWN)

# KEYS: tally block, record, pending, then one reset marker per tally.
# ARGV after the tally block: settlement, token, actual tokens.
SETTLE_LUA = (
    _PRELUDE
    + """
local RECORD, PENDING = KEYS[OPKEY], KEYS[OPKEY + 1]
local settlement, token, actual = ARGV[OP], ARGV[OP + 1], tonumber(ARGV[OP + 2])
local state = redis.call('HGET', RECORD, 'state')
if not state then
  redis.call('ZREM', PENDING, token)
  return {'not_found', '', values(), {}}
end
local estimate = tonumber(redis.call('HGET', RECORD, 'estimated_tokens'))
local epochs = cjson.decode(redis.call('HGET', RECORD, 'epochs'))
local requests, tokens, after
if settlement == 'commit' then
  if state == 'pending' then requests, tokens = 0, actual - estimate
  elseif state == 'expired' then requests, tokens = 1, actual
  elseif state == 'committed' then return {'unchanged', state, values(), {}}
  else return {'conflict', state, values(), {}} end
  after = 'committed'
else
  local due = tonumber(redis.call('HGET', RECORD, 'expires_at')) <= NOW
  if state ~= 'pending' or (settlement == 'expire' and not due) then
    return {'unchanged', state, values(), {}}
  end
  requests, tokens = -1, -estimate
  after = settlement == 'expire' and 'expired' or 'released'
end
for i = 1, n do
  local amount = metric(i) == 'requests' and requests or tokens
  local same = epoch(KEYS[OPKEY + 1 + i]) == epochs[window(i)]
  if amount ~= 0 and kept(i) > NOW and same then add(i, amount) end
end
redis.call('HSET', RECORD, 'state', after)
if settlement == 'commit' then redis.call('HSET', RECORD, 'actual_tokens', actual) end
redis.call('ZREM', PENDING, token)
announce()
return {'applied', state, values(), crossings}
"""
)

# KEYS: tally block, spend claim, then one reset marker per tally.
# ARGV after the tally block: spent at, remember until, then one amount per tally.
RECORD_SPEND_LUA = (
    _PRELUDE
    + """
local CLAIM = KEYS[OPKEY]
local spent_at, remember = tonumber(ARGV[OP]), tonumber(ARGV[OP + 1])
if redis.call('EXISTS', CLAIM) == 1 then return {0, {}, values(), {}} end
redis.call('SET', CLAIM, NOW, 'PXAT', remember)
local counted = {}
for i = 1, n do
  counted[i] = 0
  if kept(i) > NOW and reset_at(KEYS[OPKEY + i]) <= spent_at then
    add(i, ARGV[OP + 1 + i])
    counted[i] = 1
  end
end
announce()
return {1, counted, values(), crossings}
"""
)

# KEYS: tally block, then one reset marker per tally. ARGV after the block: marker until.
RESET_LUA = (
    _PRELUDE
    + """
for i = 1, n do
  local marker = KEYS[OPKEY + i - 1]
  redis.call('DEL', KEYS[i], KEYS[n + i])
  redis.call('HINCRBY', marker, 'epoch', 1)
  redis.call('HSET', marker, 'at', NOW)
  redis.call('PEXPIREAT', marker, ARGV[OP])
end
return 1
"""
)

# KEYS: the tally block. Returns the values.
READ_LUA = _PRELUDE + "return values()"

# KEYS[1]: the pending set. ARGV: now, limit.
DUE_LUA = "return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])"

# KEYS[1]: a record.
RESERVATION_LUA = "return redis.call('HGETALL', KEYS[1])"

# KEYS[1]: the crossing log.
CROSSINGS_LUA = "return redis.call('LRANGE', KEYS[1], 0, -1)"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


Call = tuple[list[str], list[str | int | float]]
"""Keys (without the store's namespace) and arguments of one script call."""


def tally_block(scope: str, tallies: Sequence[Tally], thresholds: Thresholds, now: float) -> Call:
    """The keys and arguments every script starts with (see the module docstring)."""
    keys = [
        *(counter_key(scope, tally) for tally in tallies),
        *(warned_key(scope, tally) for tally in tallies),
        crossing_seq_key(scope),
        crossing_log_key(scope),
    ]
    args: list[str | int | float] = [
        len(tallies),
        repr(thresholds.warning),
        repr(thresholds.critical),
        milliseconds(now),
    ]
    for tally in tallies:
        args += [
            tally.window,
            tally.start,
            tally.metric,
            tally.limit,
            milliseconds(tally.kept_until),
        ]
    return keys, args


def reserve_call(
    scope: str,
    tallies: Sequence[Tally],
    amounts: Sequence[int],
    reservation: Reservation,
    *,
    idempotency_key: str,
    keep_until: float,
    thresholds: Thresholds,
    now: float,
) -> Call:
    """The keys and arguments of RESERVE_LUA (also what the benchmark sends raw)."""
    keys, args = tally_block(scope, tallies, thresholds, now)
    keys += [
        record_key(scope, reservation.token),
        pending_key(scope),
        idempotency_claim_key(scope, idempotency_key),
        *(reset_marker_key(scope, tally) for tally in tallies),
    ]
    args += [
        reservation.token,
        "1" if idempotency_key else "0",
        reservation.request_id,
        reservation.estimated_tokens,
        milliseconds(reservation.reserved_at),
        milliseconds(reservation.expires_at),
        json.dumps(reservation.window_starts),
        milliseconds(max(keep_until, *(tally.kept_until for tally in tallies))),
        *amounts,
    ]
    return keys, args


def settle_call(
    scope: str,
    token: str,
    settlement: Settlement,
    tallies: Sequence[Tally],
    *,
    actual_tokens: int,
    thresholds: Thresholds,
    now: float,
) -> Call:
    """The keys and arguments of SETTLE_LUA (also what the benchmark sends raw)."""
    keys, args = tally_block(scope, tallies, thresholds, now)
    keys += [record_key(scope, token), pending_key(scope)]
    keys += [reset_marker_key(scope, tally) for tally in tallies]
    args += [settlement.value, token, actual_tokens]
    return keys, args


class RedisQuotaStore:
    """The quota port on a Redis store's scripts (see the module docstring)."""

    def __init__(self, store: ScriptHost) -> None:
        self._reserve = store.script(RESERVE_LUA)
        self._withdraw = store.script(WITHDRAW_LUA)
        self._settle = store.script(SETTLE_LUA)
        self._settle_batch = store.script_batch(SETTLE_LUA)
        self._record = store.script(RECORD_SPEND_LUA)
        self._reset = store.script(RESET_LUA)
        self._read = store.script(READ_LUA)
        self._due = store.script(DUE_LUA)
        self._reservation = store.script(RESERVATION_LUA)
        self._crossings = store.script(CROSSINGS_LUA)

    async def reserve(
        self,
        scope: str,
        tallies: Sequence[Tally],
        amounts: Sequence[int],
        reservation: Reservation,
        *,
        idempotency_key: str,
        keep_until: float,
        thresholds: Thresholds,
        now: float,
    ) -> ReserveOutcome:
        """See QuotaStore.reserve."""
        status, values, token, refused, crossings = await self._reserve(
            *reserve_call(
                scope,
                tallies,
                amounts,
                reservation,
                idempotency_key=idempotency_key,
                keep_until=keep_until,
                thresholds=thresholds,
                now=now,
            )
        )
        return ReserveOutcome(
            status=ReserveStatus(_text(status)),
            values=tuple(int(value) for value in values),
            token=_text(token),
            refused_index=None if int(refused) < 0 else int(refused),
            crossings=_crossings(scope, crossings),
        )

    async def withdraw(
        self, scope: str, idempotency_key: str, *, keep_until: float, now: float
    ) -> str | None:
        """See QuotaStore.withdraw (expiry follows the Redis server's clock)."""
        token = await self._withdraw(
            [idempotency_claim_key(scope, idempotency_key)], [milliseconds(keep_until)]
        )
        return _text(token) or None

    async def reservation(self, scope: str, token: str, *, now: float) -> Reservation | None:
        """See QuotaStore.reservation (expiry follows the Redis server's clock)."""
        flat = await self._reservation([record_key(scope, token)], [])
        if not flat:
            return None
        fields = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
        return Reservation(
            token=token,
            request_id=fields["request_id"],
            estimated_tokens=int(fields["estimated_tokens"]),
            reserved_at=int(fields["reserved_at"]) / 1000,
            expires_at=int(fields["expires_at"]) / 1000,
            window_starts=tuple(
                (window, int(start)) for window, start in json.loads(fields["window_starts"])
            ),
            state=ReservationState(fields["state"]),
            actual_tokens=int(fields["actual_tokens"]),
        )

    async def settle(
        self,
        scope: str,
        token: str,
        settlement: Settlement,
        tallies: Sequence[Tally],
        *,
        actual_tokens: int,
        thresholds: Thresholds,
        now: float,
    ) -> SettleOutcome:
        """See QuotaStore.settle."""
        reply = await self._settle(
            *settle_call(
                scope,
                token,
                settlement,
                tallies,
                actual_tokens=actual_tokens,
                thresholds=thresholds,
                now=now,
            )
        )
        return _settle_outcome(scope, reply)

    async def settle_all(
        self, orders: Sequence[SettleOrder], *, thresholds: Thresholds, now: float
    ) -> list[SettleOutcome]:
        """See QuotaStore.settle_all: one pipeline of SETTLE_LUA runs."""
        replies = await self._settle_batch(
            [
                settle_call(
                    order.scope,
                    order.token,
                    order.settlement,
                    order.tallies,
                    actual_tokens=order.actual_tokens,
                    thresholds=thresholds,
                    now=now,
                )
                for order in orders
            ]
        )
        return [
            _settle_outcome(order.scope, reply)
            for order, reply in zip(orders, replies, strict=True)
        ]

    async def record_spend(
        self,
        scope: str,
        spend_id: str,
        tallies: Sequence[Tally],
        amounts: Sequence[int],
        *,
        spent_at: float,
        remember_until: float,
        thresholds: Thresholds,
        now: float,
    ) -> SpendOutcome:
        """See QuotaStore.record_spend."""
        keys, args = tally_block(scope, tallies, thresholds, now)
        keys.append(spend_claim_key(scope, spend_id))
        keys += [reset_marker_key(scope, tally) for tally in tallies]
        args += [milliseconds(spent_at), milliseconds(remember_until), *amounts]
        recorded, counted, values, crossings = await self._record(keys, args)
        return SpendOutcome(
            recorded=bool(recorded),
            counted=tuple(bool(flag) for flag in counted) if recorded else (False,) * len(tallies),
            values=tuple(int(value) for value in values),
            crossings=_crossings(scope, crossings),
        )

    async def reset(
        self, scope: str, tallies: Sequence[Tally], *, now: float, marker_until: float
    ) -> None:
        """See QuotaStore.reset."""
        keys, args = tally_block(scope, tallies, Thresholds(1.0, 1.0), now)
        keys += [reset_marker_key(scope, tally) for tally in tallies]
        args.append(milliseconds(marker_until))
        await self._reset(keys, args)

    async def read(self, scope: str, tallies: Sequence[Tally], *, now: float) -> list[int]:
        """See QuotaStore.read (expiry follows the Redis server's clock)."""
        return [
            int(value)
            for value in await self._read(*tally_block(scope, tallies, Thresholds(1.0, 1.0), now))
        ]

    async def due_reservations(self, scope: str, now: float, limit: int) -> list[str]:
        """See QuotaStore.due_reservations."""
        tokens = await self._due([pending_key(scope)], [milliseconds(now), limit])
        return [_text(token) for token in tokens]

    async def crossings_after(self, scope: str, seq: int) -> list[Crossing]:
        """See QuotaStore.crossings_after."""
        logged = await self._crossings([crossing_log_key(scope)], [])
        return [crossing for crossing in _crossings(scope, logged) if crossing.seq > seq]


def _settle_outcome(scope: str, reply: Sequence[Any]) -> SettleOutcome:
    """SETTLE_LUA's reply read."""
    status, state, values, crossings = reply
    return SettleOutcome(
        status=SettleStatus(_text(status)),
        state=ReservationState(_text(state)) if _text(state) else None,
        values=tuple(int(value) for value in values),
        crossings=_crossings(scope, crossings),
    )


def _crossings(scope: str, events: Sequence[Any]) -> tuple[Crossing, ...]:
    decoded = [json.loads(_text(event)) for event in events]
    return tuple(crossing_from_event(scope, int(data["seq"]), data) for data in decoded)
