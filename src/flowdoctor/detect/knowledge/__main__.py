"""``python -m flowdoctor.detect.knowledge [FOLDER]``: validate a knowledge base and its examples.

Exits 0 when every file is valid and every example is classified by its own signature, 1 when an
example is not, 2 when a file is invalid (the message names file, entry and field).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from flowdoctor.detect.knowledge.base import load_directory, load_knowledge_base
from flowdoctor.detect.knowledge.check import check_examples
from flowdoctor.errors import KnowledgeBaseError


def main(argv: list[str]) -> int:
    """Validate the folder in ``argv`` (default: the shipped data) and report."""
    try:
        kb = load_directory(Path(argv[0])) if argv else load_knowledge_base()
    except KnowledgeBaseError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 2
    signatures = kb.signatures()
    platforms = Counter(sig.platform or "generic" for sig in signatures)
    examples = sum(len(sig.examples) for sig in signatures)
    print(
        f"{len(kb.files)} files, {len(platforms)} platforms, {len(signatures)} signatures, "
        f"{examples} examples"
    )
    problems = check_examples(kb)
    for problem in problems:
        print(
            f"{problem.signature_id}: example decided by {problem.got}: {problem.example[:160]!r}"
        )
    print(f"{examples - len(problems)}/{examples} examples classified by their own signature")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
