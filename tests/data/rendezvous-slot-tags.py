#!/usr/bin/env python3
"""Known answers for rendezvous slot tags and the slot schedule (lib/rendezvous/rendezvous-slot.ts).

An independent implementation on purpose: only Python's standard library (hmac, hashlib, base64,
datetime), written from DESIGN.md ("Rendezvous") rather than from the TypeScript, so that a bug
shared by the code and its test cannot hide. Regenerate (the output is stable byte for byte and
already in the formatter's layout) with:

    python3 tests/data/rendezvous-slot-tags.py > tests/data/rendezvous-slot-tags.json

The rule, as an independent implementation would read it:
  label   = "UTC-YYYY-MM-DD-HH-N"  (UTC; month, day, hour zero-padded; N = floor(minute / 10))
  message = "tincan/rv/v1|" + label                      (UTF-8)
  tag     = first 26 chars of lowercase, unpadded RFC 4648 base32 of HMAC-SHA256(secret, message)
  schedule: the slot starting at S (a multiple of 10 minutes since the Unix epoch, S >= 0) is
            visited during [S - 2 min, S + 10 min + 2 min): from 2 minutes before it begins
            (inclusive) until 2 minutes after it ends (exclusive).
"""

import base64
import datetime
import hashlib
import hmac
import json
import sys

SLOT_MS = 10 * 60 * 1000
EDGE_MS = 2 * 60 * 1000
TAG_CHARS = 26
PREFIX = "tincan/rv/v1|"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MS = datetime.timedelta(milliseconds=1)

SECRETS = [bytes(range(32)), bytes([0xFF] * 32)]


def at(text):
    """Milliseconds since the epoch for an ISO time written with a Z."""
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment - EPOCH) // MS


def moment(ms):
    return EPOCH + ms * MS


def iso(ms):
    return moment(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def label(ms):
    m = moment(ms)
    return f"UTC-{m.year:04d}-{m.month:02d}-{m.day:02d}-{m.hour:02d}-{m.minute // 10}"


def mac(secret, message):
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).digest()


def tag(digest):
    return base64.b32encode(digest).decode("ascii").lower().rstrip("=")[:TAG_CHARS]


def visited(ms):
    """Slots whose widened window [S - EDGE, S + SLOT + EDGE) holds `ms`, ascending."""
    own = ms - ms % SLOT_MS
    near = [own - SLOT_MS, own, own + SLOT_MS]
    return [s for s in near if s >= 0 and s - EDGE_MS <= ms < s + SLOT_MS + EDGE_MS]


def next_change(ms):
    """The first moment after `ms` with a different set of visited slots: a window's start or end."""
    own = ms - ms % SLOT_MS
    edges = sorted(
        {e for s in range(own - SLOT_MS, own + 3 * SLOT_MS, SLOT_MS) for e in (s - EDGE_MS, s + SLOT_MS + EDGE_MS)}
    )
    return next(e for e in edges if e > ms and visited(e) != visited(ms))


TAG_TIMES = [
    ("the first slot there is", "1970-01-01T00:00:00.000Z"),
    ("start of a slot", "2024-05-17T14:30:00.000Z"),
    ("mid-slot", "2024-05-17T14:35:27.123Z"),
    ("1 ms before a slot boundary", "2024-05-17T14:39:59.999Z"),
    ("exactly on a slot boundary", "2024-05-17T14:40:00.000Z"),
    ("last slot of an hour", "2024-05-17T09:59:59.999Z"),
    ("first slot of the next hour", "2024-05-17T10:00:00.000Z"),
    ("last moment of a day", "2024-05-17T23:59:59.999Z"),
    ("first moment of the next day", "2024-05-18T00:00:00.000Z"),
    ("last moment of a year", "2024-12-31T23:59:59.999Z"),
    ("first moment of the next year", "2025-01-01T00:00:00.000Z"),
    ("the day before a leap day", "2024-02-28T23:59:59.999Z"),
    ("a leap day begins", "2024-02-29T00:00:00.000Z"),
    ("mid leap day", "2024-02-29T12:07:30.000Z"),
    ("a leap day ends", "2024-02-29T23:59:59.999Z"),
    ("the day after a leap day", "2024-03-01T00:00:00.000Z"),
]

BOUNDARY = "2024-05-17T14:40:00.000Z"
SCHEDULE_TIMES = [
    ("the first slot there is has nothing before it", "1970-01-01T00:00:00.000Z"),
    ("still the first slot, near its start", "1970-01-01T00:01:59.999Z"),
    ("start of a slot: the previous one too", "2024-05-17T14:30:00.000Z"),
    ("mid-slot: one slot", "2024-05-17T14:35:27.123Z"),
    ("1 ms before the next slot is tried", "2024-05-17T14:37:59.999Z"),
    ("2 min before a boundary: the next slot is tried", "2024-05-17T14:38:00.000Z"),
    ("1 ms before a boundary", "2024-05-17T14:39:59.999Z"),
    ("exactly on a boundary", BOUNDARY),
    ("1 ms before the previous slot is left", "2024-05-17T14:41:59.999Z"),
    ("2 min after a boundary: the previous slot is left", "2024-05-17T14:42:00.000Z"),
    ("near midnight: tomorrow's first slot too", "2024-05-17T23:58:30.000Z"),
    ("just after midnight: yesterday's last slot too", "2024-05-18T00:01:00.000Z"),
    ("near New Year: next year's first slot too", "2024-12-31T23:59:59.999Z"),
]


def tag_vector(secret, about, text):
    ms = at(text)
    assert iso(ms) == text, (iso(ms), text)
    message = PREFIX + label(ms)
    digest = mac(secret, message)
    return {
        "about": about,
        "secret": secret.hex(),
        "time_ms": ms,
        "time": iso(ms),
        "label": label(ms),
        "message": message,
        "hmac": digest.hex(),
        "tag": tag(digest),
    }


def schedule_vector(about, text):
    ms = at(text)
    assert iso(ms) == text, (iso(ms), text)
    slots = visited(ms)
    return {
        "about": about,
        "time_ms": ms,
        "time": iso(ms),
        "slots_ms": slots,
        "slots": [iso(s) for s in slots],
        "next_change_ms": next_change(ms),
        "next_change": iso(next_change(ms)),
    }


def emit(value, indent=0):
    """JSON in Biome's layout: objects one key a line, lists of scalars on one line."""
    pad = "  " * indent
    if isinstance(value, dict):
        inner = ",\n".join(f'{pad}  {json.dumps(k)}: {emit(v, indent + 1)}' for k, v in value.items())
        return "{\n" + inner + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(f"{pad}  {emit(v, indent + 1)}" for v in value) + "\n" + pad + "]"
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(value)


def main():
    document = {
        "about": "Rendezvous slot tags and schedule; generated by rendezvous-slot-tags.py (see its header)",
        "message_prefix": PREFIX,
        "slot_ms": SLOT_MS,
        "edge_ms": EDGE_MS,
        "tag_chars": TAG_CHARS,
        "tags": [tag_vector(secret, about, text) for secret in SECRETS for about, text in TAG_TIMES],
        "schedule": [schedule_vector(about, text) for about, text in SCHEDULE_TIMES],
    }
    sys.stdout.write(emit(document) + "\n")


if __name__ == "__main__":
    main()
