"""Fingerprints: stable, short, and different for different groups."""

from __future__ import annotations

from flowdoctor.mining.fingerprint import fingerprint


def test_fingerprint_is_sixteen_hex_characters() -> None:
    value = fingerprint("connect ECONNREFUSED <IP>", category="connectivity", platform=None)
    assert len(value) == 16
    int(value, 16)


def test_fingerprint_is_stable_across_processes() -> None:
    # A fixed value: hash() would change between runs, this must not.
    assert fingerprint("x", category="data", platform="slack") == fingerprint(
        "x", category="data", platform="slack"
    )
    assert fingerprint("x", category="data", platform="slack") == "5289bb674ce6cf62"


def test_category_platform_and_template_all_count() -> None:
    base = fingerprint("t", category="data", platform="slack")
    assert fingerprint("t", category="logic", platform="slack") != base
    assert fingerprint("t", category="data", platform="hubspot") != base
    assert fingerprint("t", category="data", platform=None) != base
    assert fingerprint("u", category="data", platform="slack") != base


def test_parts_cannot_run_into_each_other() -> None:
    assert fingerprint("c", category="ab", platform=None) != fingerprint(
        "bc", category="a", platform=None
    )


def test_any_string_fingerprints() -> None:
    assert len(fingerprint("\ud800\x00é", category="data", platform="\udfff")) == 16
