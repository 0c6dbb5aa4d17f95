"""Similar past issues: has this been seen before, what fixed it, and did the fix hold?

The message templates of a session's issues are compared with those of earlier resolved sessions
by TF-IDF cosine similarity over their words (the masked parts such as ``<NUM>`` left out). The
similarity alone decides whether a past issue is similar at all (``min_similarity``), so two
unrelated messages never match because they share a category; the same category and the same
platform then add a small boost that orders the matches. Plain Python: the vectors are sparse and
short, and an inverted index only visits past issues sharing a word with the current one.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flowdoctor.domain import Recommendation, TroubleshootingSession, WorkflowIssue
from flowdoctor.errors import InputError

MIN_SIMILARITY = 0.3
"""Cosine similarity below which two templates are not considered the same problem."""
CATEGORY_BOOST = 0.1
"""Added to the score of a past issue of the same category (orders matches, never makes one)."""
PLATFORM_BOOST = 0.05
"""Added to the score of a past issue on the same platform."""
MAX_FIXES = 3
"""Recommendation titles reported per past session."""

_MASK_TOKEN = re.compile(r"<[A-Za-z_*]{1,20}>")
_WORD = re.compile(r"[a-z][a-z0-9]+")

_Vector = dict[str, float]


@dataclass(frozen=True, slots=True)
class SimilarIssue:
    """A past issue that looks like a current one, and how its session was resolved.

    ``similarity`` is the text similarity (0-1); ``score`` adds the same-category and
    same-platform boosts and is what results are ordered by. ``fixes`` are the past session's
    recommendation titles (those addressing the matched issue first); ``verified`` says whether
    that session's verification found the fix worked, ``verification_reason`` why.
    """

    issue_fingerprint: str
    issue_template: str
    session_id: str
    workflow_id: str
    past_fingerprint: str
    past_template: str
    similarity: float
    score: float
    fixes: tuple[str, ...]
    verified: bool
    verification_reason: str | None
    seen_at: datetime


def tokens(template: str) -> list[str]:
    """The words of a masked template: lowercase, mask tokens and lone digits left out.

    >>> tokens("INVALID_SESSION_ID: Session expired after <NUM>s")
    ['invalid', 'session', 'id', 'session', 'expired', 'after']
    """
    return _WORD.findall(_MASK_TOKEN.sub(" ", template).lower())


def find_similar(
    issues: Sequence[WorkflowIssue],
    past_sessions: Sequence[TroubleshootingSession],
    *,
    top_k: int = 3,
    min_similarity: float = MIN_SIMILARITY,
) -> list[SimilarIssue]:
    """For each issue, up to ``top_k`` similar issues of ``past_sessions``, best first.

    At most one match per past session and current issue (its most similar issue), so the
    ``top_k`` are distinct sessions. Results follow the order of ``issues``.
    """
    if top_k < 1:
        raise InputError("limit must be at least 1", field="limit")
    past = [(session, issue) for session in past_sessions for issue in session.issues]
    if not issues or not past:
        return []
    vectors = _tfidf([tokens(i.message_template) for i in issues] + _past_tokens(past))
    current, candidates = vectors[: len(issues)], vectors[len(issues) :]
    index = _inverted_index(candidates)
    found: list[SimilarIssue] = []
    for issue, vector in zip(issues, current, strict=True):
        scores = _cosines(vector, index)
        best: dict[str, SimilarIssue] = {}
        for position, similarity in scores.items():
            if similarity < min_similarity:
                continue
            session, past_issue = past[position]
            match = _match(issue, session, past_issue, similarity)
            kept = best.get(session.session_id)
            if kept is None or match.score > kept.score:
                best[session.session_id] = match
        ranked = sorted(best.values(), key=_rank)
        found.extend(ranked[:top_k])
    return found


def _past_tokens(past: Sequence[tuple[TroubleshootingSession, WorkflowIssue]]) -> list[list[str]]:
    return [tokens(issue.message_template) for _, issue in past]


def _tfidf(documents: Sequence[Sequence[str]]) -> list[_Vector]:
    """L2-normalised TF-IDF vectors: sublinear term frequency, smoothed IDF (as scikit-learn)."""
    frequencies = [Counter(document) for document in documents]
    document_frequency: Counter[str] = Counter()
    for counts in frequencies:
        document_frequency.update(counts.keys())
    n = len(documents)
    idf = {term: math.log((1 + n) / (1 + df)) + 1.0 for term, df in document_frequency.items()}
    vectors: list[_Vector] = []
    for counts in frequencies:
        weights = {term: (1.0 + math.log(tf)) * idf[term] for term, tf in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        vectors.append({t: w / norm for t, w in weights.items()} if norm else {})
    return vectors


def _inverted_index(vectors: Sequence[_Vector]) -> dict[str, list[tuple[int, float]]]:
    index: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for position, vector in enumerate(vectors):
        for term, weight in vector.items():
            index[term].append((position, weight))
    return index


def _cosines(vector: _Vector, index: dict[str, list[tuple[int, float]]]) -> dict[int, float]:
    scores: dict[int, float] = defaultdict(float)
    for term, weight in vector.items():
        for position, other in index.get(term, ()):
            scores[position] += weight * other
    return scores


def _match(
    issue: WorkflowIssue,
    session: TroubleshootingSession,
    past_issue: WorkflowIssue,
    similarity: float,
) -> SimilarIssue:
    score = similarity
    if past_issue.category is issue.category:
        score += CATEGORY_BOOST
    if issue.platform and past_issue.platform == issue.platform:
        score += PLATFORM_BOOST
    verification = session.verification
    return SimilarIssue(
        issue_fingerprint=issue.fingerprint,
        issue_template=issue.message_template,
        session_id=session.session_id,
        workflow_id=session.workflow_id,
        past_fingerprint=past_issue.fingerprint,
        past_template=past_issue.message_template,
        similarity=round(min(1.0, similarity), 4),
        score=round(score, 4),
        fixes=_fixes(session.recommendations, past_issue.fingerprint),
        verified=verification is not None and verification.verified,
        verification_reason=verification.reason if verification is not None else None,
        seen_at=session.created_at,
    )


def _fixes(recommendations: Sequence[Recommendation], fingerprint: str) -> tuple[str, ...]:
    """Titles of the recommendations that addressed this issue, else the session's top ones."""
    ordered = sorted(recommendations, key=lambda r: r.priority)
    addressed = [r for r in ordered if fingerprint in r.issue_fingerprints]
    return tuple(r.title for r in (addressed or ordered)[:MAX_FIXES])


def _rank(match: SimilarIssue) -> tuple[float, bool, float, str]:
    # Best score first; among equals a verified fix, then the most recent session.
    return (-match.score, not match.verified, -match.seen_at.timestamp(), match.session_id)
