"""Benchmark: the classifier on the labelled platform-error set — accuracy, macro-F1, confusion.

    python benchmarks/classify.py --data ../shared/benchmarks/platform_errors/dev.jsonl [--errors]

Each row's ``text`` goes through ``default_classifier()`` without hints, as a pasted line would.
Scores, per ``shared/taxonomy.md``:
- category accuracy: the prediction equals ``category`` or is one of ``also``;
- macro-F1 over the nine categories, where a prediction in ``also`` counts as the true category
  (UNCLASSIFIED is always wrong);
- platform accuracy: the detected platform equals the label; ``generic`` means "no platform", so no
  platform detected is right there. Two spellings in the labels name the same platform as ours
  (``azure_blob_storage`` = ``azure_blob``, ``bigquery`` = ``google_bigquery``), and a family label
  (``aws``, ``google``, ``azure``) accepts any of its services (``aws_s3``);
- retryable accuracy: the predicted flag equals ``retryable``.
Also printed: which stage answered (knowledge base, generic rules, learned fallback, none), the
confusion matrix (rows true, columns predicted) and, with ``--errors``, every miss.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from flowdoctor.detect.classifier import default_classifier
from flowdoctor.detect.knowledge import load_knowledge_base
from flowdoctor.detect.learned import LEARNED_RULE_ID
from flowdoctor.domain import IssueCategory

CATEGORIES = [category.value for category in IssueCategory if category.value != "unclassified"]
ALIASES = {"azure_blob_storage": "azure_blob", "bigquery": "google_bigquery"}
FAMILIES = ("aws", "google", "azure", "microsoft")


def platform_correct(truth: str, predicted: str | None) -> bool:
    """Whether ``predicted`` names the labelled platform (see the module docstring)."""
    truth = ALIASES.get(truth, truth)
    if truth == "generic":
        return predicted is None
    if predicted is None:
        return False
    if truth in FAMILIES:
        return predicted == truth or predicted.startswith(f"{truth}_")
    return predicted == truth


def stage_of(rule_id: str | None, kb_ids: set[str]) -> str:
    """Which member of the chain produced a verdict."""
    if rule_id is None:
        return "none (unclassified)"
    if rule_id == LEARNED_RULE_ID:
        return "learned fallback"
    return "knowledge base" if rule_id in kb_ids else "generic rules"


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Mean F1 over the nine categories of (true, predicted) pairs."""
    scores = []
    for category in CATEGORIES:
        tp = sum(1 for t, p in pairs if t == category and p == category)
        fp = sum(1 for t, p in pairs if t != category and p == category)
        fn = sum(1 for t, p in pairs if t == category and p != category)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a labelled .jsonl file")
    parser.add_argument("--errors", action="store_true", help="print every miss")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"no labelled data at {args.data}")
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    classifier = default_classifier()
    kb_ids = {signature.signature_id for signature in load_knowledge_base().signatures()}
    classifier.classify("warm-up: load the knowledge base and train the fallback model quota")
    started = time.perf_counter()
    verdicts = [classifier.classify(row["text"]) for row in rows]
    elapsed = time.perf_counter() - started

    pairs, misses = [], []
    category_hits = platform_hits = retry_hits = 0
    stages: Counter[str] = Counter()
    for row, verdict in zip(rows, verdicts, strict=True):
        predicted = verdict.category.value
        hit = predicted == row["category"] or predicted in row.get("also", [])
        category_hits += hit
        pairs.append((row["category"], row["category"] if hit else predicted))
        platform_hits += platform_correct(row["platform"], verdict.platform)
        retry_hits += verdict.retryable == row["retryable"]
        stages[stage_of(verdict.rule_id, kb_ids)] += 1
        if not hit:
            misses.append((row, verdict))

    n = len(rows)
    print(f"| measure ({n} rows of {args.data.name}) | value |")
    print("|---|---:|")
    print(f"| category accuracy | {category_hits / n:.3f} ({category_hits}/{n}) |")
    print(f"| macro-F1 | {macro_f1(pairs):.3f} |")
    print(f"| platform accuracy | {platform_hits / n:.3f} ({platform_hits}/{n}) |")
    print(f"| retryable accuracy | {retry_hits / n:.3f} ({retry_hits}/{n}) |")
    print(f"| messages per second | {n / elapsed:,.0f} |")
    print()
    print("| answered by | rows |")
    print("|---|---:|")
    for stage, count in stages.most_common():
        print(f"| {stage} | {count} |")
    print()
    columns = [*CATEGORIES, "unclassified"]
    short = {c: c[:5] for c in columns} | {"external_service": "extsv", "unclassified": "uncl"}
    print("| true \\ predicted | " + " | ".join(short[c] for c in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    table = Counter(pairs)
    for truth in CATEGORIES:
        cells = [str(table[(truth, predicted)] or "") for predicted in columns]
        print(f"| {truth} | " + " | ".join(cells) + " |")
    if args.errors:
        print(file=sys.stderr)
        for row, verdict in misses:
            print(
                f"{row['id']} true={row['category']} got={verdict.category.value} "
                f"by={verdict.rule_id} :: {row['text'][:200]!r}",
                file=sys.stderr,
            )


if __name__ == "__main__":
    main()
