"""The mining profile of masking and the tokens: each shape, the digit-shape key, bounds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdoctor.mining.tokens import (
    MAX_LINE_CHARS,
    MAX_TOKENS,
    MEMO_WORD_CHARS,
    WILDCARD,
    Masker,
    digit_shape,
    generalize,
    is_wildcard,
    mask_for_mining,
    tokenize,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # digit words, keys kept
        ("retry 3 of 5 for job_1445 uid=1000", "retry <*> of <*> for <*> uid=<*>"),
        ("failed (uid=0)", "failed <*>"),
        ("overlapAmount:220.0, i:0", "overlapAmount:<*>, i:<*>"),
        ("blk_-6952295868487656571 at 0x7f3a", "<*> at <*>"),
        ("version 6.1.7601.23505 loaded", "version <*> loaded"),
        # clocks and ip:port are one wildcard
        ("lifetime 02:02:11 from 10.0.0.5:5432", "lifetime <*> from <*>"),
        ("host proxy.example.com:5070 open", "host proxy.example.com:<*> open"),
        # a run of dots ends a word
        (
            "program interrupt: illegal instruction......1",
            "program interrupt: illegal instruction......<*>",
        ),
        # names with a version digit keep their name
        ("open through proxy HTTPS", "open through proxy HTTPS"),
        ("open through proxy SOCKS5", "open through proxy SOCKS<*>"),
        ("via interface ee0 port 22 ssh2", "via interface ee<*> port <*> ssh<*>"),
        # shapes that hold no digit or span words
        ("GET https://api.example.com/v1/users failed", "GET <*> failed"),
        ("mail to ops@example.com bounced", "mail to <*> bounced"),
        ("at Sun Jul  3 10:05:25 2005 from x", "at <*> from x"),
        ("status=M Sat Sep 17 07:49:04 PDT 2005", "status=M <*>"),
        ("sent 1052 bytes (1.02 KB), lifetime <1 sec", "sent <*> <*>, lifetime <*>"),
        ("estimated size 93.0 B, free 317.1 KB", "estimated size <*>, free <*>"),
        ('tag="View Lock", name=android', "tag=<*>, name=android"),
        ("ws=null visible=true ready=False", "ws=<*> visible=<*> ready=<*>"),
        # whitespace normalised
        ("  a \t b  ", "a b"),
        ("", ""),
    ],
)
def test_masks_each_shape(line: str, expected: str) -> None:
    assert mask_for_mining(line) == expected


def test_the_memo_gives_the_same_text_and_stays_bounded() -> None:
    masker = Masker(memo_size=8)
    lines = [f"worker w{n} lost lease {n} on node-{n % 3} after {n}s" for n in range(200)]
    assert [masker(line) for line in lines] == [mask_for_mining(line) for line in lines]
    assert len(masker._memo) <= 8
    masker("x" * (MEMO_WORD_CHARS + 1))
    assert "x" * (MEMO_WORD_CHARS + 1) not in masker._memo


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z"])))
def test_lines_of_one_digit_shape_mask_alike(text: str) -> None:
    # What lets the miner skip masking for a line whose shape it has seen.
    swapped = text.translate(str.maketrans("0123456789", "9876543210"))
    assert digit_shape(text) == digit_shape(swapped)
    assert mask_for_mining(text) == mask_for_mining(swapped)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3_000))
def test_any_text_masks_and_tokenizes_within_bounds(text: str) -> None:
    tokens = tokenize(mask_for_mining(text))
    assert len(tokens) <= MAX_TOKENS
    assert len("".join(tokens)) <= MAX_LINE_CHARS + 3 * MAX_TOKENS


def test_tokens_keep_their_separators_and_are_cut() -> None:
    assert tokenize("acquire lock=<*>, tag=<*>") == ("acquire ", "lock=", "<*>, ", "tag=", "<*>")
    assert "".join(tokenize("a  b=c,d")) == "a b=c,d"
    assert len(tokenize("x " * 1_000)) == MAX_TOKENS


def test_wildcards_and_generalizing() -> None:
    assert is_wildcard("<*>, ")
    assert is_wildcard("(<*>)")
    assert not is_wildcard("core.<*>")
    assert not is_wildcard("root ")
    assert generalize("root, ") == "<*>, "
    assert generalize("lock=") == "<*>="
    assert WILDCARD == "<*>"
