"""The knowledge base: every data file loaded, checked across files, and put in matching order.

``load_knowledge_base()`` reads the YAML files shipped in ``flowdoctor/detect/knowledge/data``
once per process. Checks that need all files at once live here: signature ids are unique across
the base, a platform is described by one file only, and a signature id starts with its file's
platform (generic files may use any family prefix such as ``python.`` or ``http.``).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from flowdoctor.detect.knowledge.schema import (
    GENERIC,
    LATE_ORDER,
    ErrorSignature,
    KnowledgeFile,
    PlatformProfile,
    parse_knowledge_file,
)
from flowdoctor.errors import KnowledgeBaseError

# libyaml's safe loader parses the shipped files about ten times faster than the pure-Python one;
# both build the same plain data.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """All files, sorted by ``(order, file name)``: the order their signatures are tried in."""

    files: tuple[KnowledgeFile, ...]
    by_id: dict[str, ErrorSignature] = field(default_factory=dict, compare=False, repr=False)

    def signatures(self) -> tuple[ErrorSignature, ...]:
        """Every signature, in matching order."""
        return tuple(sig for file in self.files for sig in file.signatures)

    def early_signatures(self) -> tuple[ErrorSignature, ...]:
        """Signatures tried before the generic rule tables (platform codes, named exceptions)."""
        return tuple(
            sig for file in self.files if file.order < LATE_ORDER for sig in file.signatures
        )

    def late_signatures(self) -> tuple[ErrorSignature, ...]:
        """Signatures tried after the generic rule tables (bare HTTP statuses)."""
        return tuple(
            sig for file in self.files if file.order >= LATE_ORDER for sig in file.signatures
        )

    def platforms(self) -> tuple[PlatformProfile, ...]:
        """Platform profiles in detection order (``detect.order``, then file order)."""
        profiles = [file.profile for file in self.files if file.profile.platform != GENERIC]
        return tuple(sorted(profiles, key=lambda profile: profile.detect_order))

    def signature(self, signature_id: str) -> ErrorSignature | None:
        """The signature with this id, or ``None``."""
        return self.by_id.get(signature_id)


def build_knowledge_base(files: Iterable[KnowledgeFile]) -> KnowledgeBase:
    """Check parsed files against each other and sort them into matching order."""
    ordered = tuple(sorted(files, key=lambda file: (file.order, file.origin)))
    _check_unique(
        "platform",
        [file.profile.platform for file in ordered if file.profile.platform != GENERIC],
    )
    _check_unique("signature id", [sig.signature_id for file in ordered for sig in file.signatures])
    for file in ordered:
        platform = file.profile.platform
        if platform == GENERIC:
            continue
        for sig in file.signatures:
            if not sig.signature_id.startswith(f"{platform}."):
                raise KnowledgeBaseError(
                    f"{file.origin}: signature {sig.signature_id!r} must start with '{platform}.'"
                )
    by_id = {sig.signature_id: sig for file in ordered for sig in file.signatures}
    return KnowledgeBase(files=ordered, by_id=by_id)


def parse_yaml(text: str, origin: str) -> KnowledgeFile:
    """Parse and validate one file's YAML text."""
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{origin}: not valid YAML: {exc}") from None
    return parse_knowledge_file(data, origin)


def load_directory(directory: Path) -> KnowledgeBase:
    """Load every ``*.yaml`` file of ``directory`` (to check a folder outside the package)."""
    return build_knowledge_base(
        parse_yaml(path.read_text(encoding="utf-8"), path.name)
        for path in sorted(directory.glob("*.yaml"))
    )


@functools.cache
def load_knowledge_base() -> KnowledgeBase:
    """The knowledge base shipped with flowdoctor, loaded once per process."""
    folder = resources.files("flowdoctor.detect.knowledge") / "data"
    parsed = [
        parse_yaml(entry.read_text(encoding="utf-8"), entry.name)
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if entry.name.endswith(".yaml")
    ]
    return build_knowledge_base(parsed)


def _check_unique(what: str, values: list[str]) -> None:
    repeated = sorted(value for value, count in Counter(values).items() if count > 1)
    if repeated:
        raise KnowledgeBaseError(f"each {what} must be unique; repeated: {', '.join(repeated)}")
