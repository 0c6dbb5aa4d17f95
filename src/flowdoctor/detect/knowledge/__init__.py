"""The error knowledge base: platform error signatures as data files, validated at load.

``data/*.yaml`` holds one file per platform (and a few for generic runtime, network and HTTP
errors); :mod:`~flowdoctor.detect.knowledge.schema` documents the format. Run
``python -m flowdoctor.detect.knowledge [FOLDER]`` to validate a folder and check that every
signature's examples are classified by that signature. The rules built from signatures are in
:mod:`~flowdoctor.detect.knowledge.rules` (not imported here: platform detection reads this
package, and the rule classifier uses platform detection).
"""

from flowdoctor.detect.knowledge.base import (
    KnowledgeBase,
    build_knowledge_base,
    load_directory,
    load_knowledge_base,
    parse_yaml,
)
from flowdoctor.detect.knowledge.schema import (
    GENERIC,
    LATE_ORDER,
    ErrorSignature,
    KnowledgeFile,
    PlatformProfile,
    parse_knowledge_file,
)

__all__ = [
    "GENERIC",
    "LATE_ORDER",
    "ErrorSignature",
    "KnowledgeBase",
    "KnowledgeFile",
    "PlatformProfile",
    "build_knowledge_base",
    "load_directory",
    "load_knowledge_base",
    "parse_knowledge_file",
    "parse_yaml",
]
