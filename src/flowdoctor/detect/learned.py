"""The learned fallback: a linear model over TF-IDF features, for wording no rule knows.

Trained on the knowledge base's examples (each labelled with its signature's category), it answers
only when the model is sure enough (``min_probability``); otherwise it has no opinion and the chain
reports UNCLASSIFIED. Its evidence is the features that pushed hardest towards the answer, so a
user can see why ("rate", "exceeded", "quota").

Messages are masked first (IDs, numbers, URLs become tokens) so the model learns words, not the
values in the examples. scikit-learn is imported and the model trained on first use, so a process
that never needs the fallback never pays for it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from flowdoctor.detect.platforms import detect_platform
from flowdoctor.detect.rule_model import category_defaults
from flowdoctor.detect.text import MAX_HINT_CHARS, examined_text
from flowdoctor.domain import Classification, IssueCategory
from flowdoctor.mining.masking import mask

LEARNED_RULE_ID = "learned.tfidf"
"""The ``rule_id`` of a verdict of the learned fallback."""

_TOP_FEATURES = 3


class LearnedClassifier:
    """Classify by a TF-IDF + logistic-regression model trained on labelled examples.

    >>> examples = [("the API quota was used up", IssueCategory.RESOURCE),
    ...             ("daily request allowance exhausted", IssueCategory.RESOURCE),
    ...             ("the access token expired", IssueCategory.PERMISSIONS),
    ...             ("credentials rejected, token invalid", IssueCategory.PERMISSIONS)]
    >>> LearnedClassifier(examples, min_probability=0.3).classify("quota used up").category.value
    'resource'
    """

    def __init__(
        self,
        examples: Sequence[tuple[str, IssueCategory]],
        *,
        min_probability: float = 0.55,
        confidence_scale: float = 0.8,
    ) -> None:
        if len({category for _, category in examples}) < 2:
            raise ValueError("the learned classifier needs examples of at least two categories")
        self._examples = tuple(examples)
        self._min_probability = min_probability
        self._confidence_scale = confidence_scale
        self._model: Any = None
        self._lock = threading.Lock()

    def classify(
        self,
        message: str,
        *,
        platform: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
    ) -> Classification | None:
        """The model's category when its probability reaches ``min_probability``, else ``None``."""
        text = _prepared(examined_text(message), error_code)
        if not any(char.isalpha() for char in text):
            return None  # nothing to read: no words, no opinion
        model = self._trained()
        probabilities = model.predict_proba([text])[0]
        best = int(probabilities.argmax())
        probability = float(probabilities[best])
        if probability < self._min_probability:
            return None
        category = IssueCategory(model.classes_[best])
        severity, retryable, replay = category_defaults(category)
        found = platform or detect_platform(message)
        evidence = (
            f"learned model: {category.value} with probability {probability:.2f}",
            "top features: " + ", ".join(_top_features(model, text, best)),
        )
        return Classification(
            category=category,
            severity=severity,
            retryable=retryable,
            confidence=round(probability * self._confidence_scale, 3),
            platform=found,
            replay_safety=replay,
            rule_id=LEARNED_RULE_ID,
            evidence=evidence,
        )

    def _trained(self) -> Any:
        with self._lock:  # train once, even when the first calls arrive together
            if self._model is None:
                self._model = _train(self._examples)
            return self._model


def _prepared(message: str, error_code: str | None) -> str:
    text = mask(message)
    # the same bounded hint the rules read: a megabyte-long code is cut, not vectorised
    return f"{text} {error_code[:MAX_HINT_CHARS]}" if error_code else text


def _train(examples: Sequence[tuple[str, IssueCategory]]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, make_pipeline

    features = FeatureUnion(
        [
            # Words and word pairs carry the meaning; character n-grams catch spellings and
            # codes glued together ("ratelimited", "AccessDeniedException").
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
        ]
    )
    # One binary liblinear model per category: trained in well under a second on the base's
    # examples, where the multinomial lbfgs fit took several seconds at every process start.
    linear = OneVsRestClassifier(LogisticRegression(C=10.0, solver="liblinear"))
    model = make_pipeline(features, linear)
    texts = [_prepared(text, None) for text, _ in examples]
    labels = [category.value for _, category in examples]
    model.fit(texts, labels)
    return model


def _top_features(model: Any, text: str, label_index: int) -> list[str]:
    """The word features of ``text`` that add most to the chosen label's score."""
    union = model.steps[0][1]
    words = union.transformer_list[0][1]
    # one binary model per category (with two categories, one model whose weights favour the
    # second); the words' columns come first in the feature union
    estimators = model.steps[-1][1].estimators_
    if len(estimators) == 1:
        row = estimators[0].coef_[0] * (1.0 if label_index == 1 else -1.0)
    else:
        row = estimators[label_index].coef_[0]
    vector = words.transform([text])
    names = words.get_feature_names_out()
    contributions = [
        (float(value * row[column]), str(names[column]))
        for column, value in zip(vector.indices, vector.data, strict=True)
    ]
    contributions.sort(reverse=True)
    top = [name for score, name in contributions[:_TOP_FEATURES] if score > 0]
    return top or ["(character patterns)"]
