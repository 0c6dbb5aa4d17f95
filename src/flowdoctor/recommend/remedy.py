"""The shape of a remedy, and how its ``{platform}`` placeholder is filled."""

from __future__ import annotations

from dataclasses import dataclass

from flowdoctor.domain import IssueCategory
from flowdoctor.domain.platforms import platform_label


@dataclass(frozen=True, slots=True)
class Remedy:
    """A fix: a short imperative title, concrete steps and why they help."""

    title: str
    steps: tuple[str, ...]
    rationale: str
    default_subject: str = "the service"
    """What ``{platform}`` becomes when the platform is not known."""
    doc_url: str | None = None
    """Where to read more (a knowledge-base signature's documentation page)."""

    def filled(self, platform: str | None) -> Remedy:
        """The remedy with ``{platform}`` replaced by the platform's name or ``default_subject``."""
        name = platform_label(platform) or self.default_subject
        return Remedy(
            _fill(self.title, name),
            tuple(_fill(step, name) for step in self.steps),
            _fill(self.rationale, name),
            doc_url=self.doc_url,
        )


@dataclass(frozen=True, slots=True)
class SpecificRemedy:
    """A remedy for one common case.

    It matches an issue whose ``rule_id`` starts with one of ``rule_prefixes``; or, failing that,
    one of ``category`` on ``platform`` (any platform when ``None``) whose message contains one of
    ``keywords`` (any message when there are none). Matching is case-insensitive.
    """

    category: IssueCategory
    remedy: Remedy
    platform: str | None = None
    rule_prefixes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def matches(
        self, category: IssueCategory, platform: str | None, rule_id: str | None, message: str
    ) -> bool:
        """True when this entry applies to an issue with these fields."""
        rule = (rule_id or "").lower()
        if rule and any(rule.startswith(prefix.lower()) for prefix in self.rule_prefixes):
            return True
        if category is not self.category:
            return False
        if self.platform is not None and (platform or "").lower() != self.platform:
            return False
        text = message.lower()
        return not self.keywords or any(word.lower() in text for word in self.keywords)


def _fill(text: str, platform: str) -> str:
    return text.replace("{platform}", platform)
