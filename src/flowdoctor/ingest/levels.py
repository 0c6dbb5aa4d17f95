"""Log levels: the many ways programs spell them, mapped onto :class:`LogLevel`."""

from __future__ import annotations

from flowdoctor.domain import LogLevel

LEVEL_NAMES: dict[str, LogLevel] = {
    # TRACE and VERBOSE carry no more urgency than DEBUG, so they share it.
    "trace": LogLevel.DEBUG,
    "trc": LogLevel.DEBUG,
    "verbose": LogLevel.DEBUG,
    "debug": LogLevel.DEBUG,
    "dbg": LogLevel.DEBUG,
    "info": LogLevel.INFO,
    "inf": LogLevel.INFO,
    "information": LogLevel.INFO,
    "informational": LogLevel.INFO,
    "notice": LogLevel.INFO,
    "default": LogLevel.INFO,  # Google Cloud Logging's "no severity given"
    "warn": LogLevel.WARNING,
    "warning": LogLevel.WARNING,
    "wrn": LogLevel.WARNING,
    "error": LogLevel.ERROR,
    "err": LogLevel.ERROR,
    "erro": LogLevel.ERROR,  # logrus pads every level to four letters
    "eror": LogLevel.ERROR,
    "severe": LogLevel.ERROR,  # java.util.logging
    "critical": LogLevel.CRITICAL,
    "crit": LogLevel.CRITICAL,
    "fatal": LogLevel.CRITICAL,
    "ftl": LogLevel.CRITICAL,
    "panic": LogLevel.CRITICAL,
    "alert": LogLevel.CRITICAL,
    "emerg": LogLevel.CRITICAL,
    "emergency": LogLevel.CRITICAL,
}
"""Every spelling of a level word (lowercase) that the parsers accept."""

LEVEL_LETTERS: dict[str, LogLevel] = {
    "T": LogLevel.DEBUG,
    "D": LogLevel.DEBUG,
    "V": LogLevel.DEBUG,
    "I": LogLevel.INFO,
    "N": LogLevel.INFO,
    "W": LogLevel.WARNING,
    "E": LogLevel.ERROR,
    "F": LogLevel.CRITICAL,
    "C": LogLevel.CRITICAL,
}
"""One-letter levels (Android, apt, glog). Only trusted when clearly delimited, e.g. ``[E]``."""

# Syslog severities 0..7 (RFC 5424), most severe first.
_SYSLOG_SEVERITIES = (
    LogLevel.CRITICAL,  # 0 emergency
    LogLevel.CRITICAL,  # 1 alert
    LogLevel.CRITICAL,  # 2 critical
    LogLevel.ERROR,  # 3 error
    LogLevel.WARNING,  # 4 warning
    LogLevel.INFO,  # 5 notice
    LogLevel.INFO,  # 6 informational
    LogLevel.DEBUG,  # 7 debug
)


def level_from_name(name: str) -> LogLevel | None:
    """The level a word or letter names, or ``None``.

    >>> level_from_name("WARN")
    <LogLevel.WARNING: 'warning'>
    """
    word = name.strip()
    if len(word) == 1:
        return LEVEL_LETTERS.get(word.upper())
    return LEVEL_NAMES.get(word.lower())


def level_from_number(number: int) -> LogLevel | None:
    """The level of a numeric severity: syslog 0..7, or pino/bunyan 10 (trace) .. 60 (fatal)."""
    if 0 <= number < len(_SYSLOG_SEVERITIES):
        return _SYSLOG_SEVERITIES[number]
    if 10 <= number < 30:
        return LogLevel.DEBUG
    if 30 <= number < 40:
        return LogLevel.INFO
    if 40 <= number < 50:
        return LogLevel.WARNING
    if 50 <= number < 60:
        return LogLevel.ERROR
    if 60 <= number <= 100:
        return LogLevel.CRITICAL
    return None


def level_from_value(value: object) -> LogLevel | None:
    """The level of a JSON value: a name (``"error"``), a number (``50``), or ``None``."""
    if isinstance(value, bool):
        # bool is an int subclass; ``"level": true`` says nothing about severity.
        return None
    if isinstance(value, int):
        return level_from_number(value)
    if isinstance(value, str):
        text = value.strip()
        # isdigit() alone accepts characters such as "²" that int() refuses, hence isascii().
        if text.isascii() and text.isdigit() and len(text) < 4:
            return level_from_number(int(text))
        return level_from_name(text)
    return None
