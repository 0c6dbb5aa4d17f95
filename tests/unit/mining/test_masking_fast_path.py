"""mask() skips patterns that cannot match and remembers recent messages: same output as applying
every pattern every time (on real logs, generated text and the tricky characters)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdoctor.mining.masking import (
    _QUOTED,
    MASKS,
    MAX_INPUT_CHARS,
    MAX_TEMPLATE_CHARS,
    _mask_cut,
    _mask_quoted,
    mask,
)

SHARED = Path("/work/shared/benchmarks")


def every_pattern_every_time(message: str) -> str:
    """The plain definition of mask(): each pattern in order, then quotes, then whitespace."""
    text = message[:MAX_INPUT_CHARS]
    for token, pattern in MASKS:
        text = pattern.sub(token, text)
    text = _QUOTED.sub(_mask_quoted, text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_TEMPLATE_CHARS]


def _uncached(message: str) -> str:
    return _mask_cut.__wrapped__(message[:MAX_INPUT_CHARS])


@pytest.mark.parametrize(
    "message",
    [
        "at 2024-11-27T17:24:02.225Z failed",
        "Date: Mon, 02 Jan 2006 15:04:05 GMT",
        "[27/Nov/2024:17:24:02 +0000] GET",
        "Jan 12 10:11:12 web kernel: oom",
        "on 3 \u017fep 2024 and 4-\u212aan-2024",  # case folding: long s, Kelvin sign
        "retry at 17:24:02.225 and 7:05",
        "ids \u0663\u0664\u0665\u0666 and \u0661:\u0662\u0663",  # Arabic-Indic digits
        "from fe80::1ff:fe23:4567:890a and 1:2:3:4:5:6:7:8 denied",
        "a\x1cb\u2028c\xa0d\u3000e\x85f  g\t\n",
        "'quoted' \"values\" and none",
        "",
        "   ",
    ],
)
def test_the_fast_path_equals_every_pattern_every_time(message: str) -> None:
    assert _uncached(message) == every_pattern_every_time(message)
    assert mask(message) == every_pattern_every_time(message)


_ALPHABET = st.sampled_from(
    [
        *"0123456789abcdefxXjJnNsS:-/.,_@ '\"\t\n()[]<>=",
        *("jan", "Sep", "mon", "\u017f", "\u212a", "\u0663", "\xa0", "\x1c", "://", "0x", "::"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_the_fast_path_equals_every_pattern_on_generated_text(message: str) -> None:
    assert _uncached(message) == every_pattern_every_time(message)


def test_the_fast_path_equals_every_pattern_on_real_logs() -> None:
    lines: list[str] = []
    dev = SHARED / "platform_errors" / "dev.jsonl"
    if dev.is_file():
        lines += [json.loads(x)["text"] for x in dev.read_text(encoding="utf-8").splitlines() if x]
    for log in sorted((SHARED / "loghub").glob("*/*_2k.log")):
        lines += log.read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines:
        pytest.skip(f"benchmark data not found under {SHARED}")
    for line in lines:
        assert mask(line) == every_pattern_every_time(line), line
