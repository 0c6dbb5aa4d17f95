"""Change events: what people (or vendors) changed, recorded so analysis can link shifts to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChangeKind(StrEnum):
    """What sort of change happened. ``OTHER`` for anything the list does not name."""

    WORKFLOW_EDITED = "workflow_edited"
    CREDENTIAL_ROTATED = "credential_rotated"
    DEPLOYMENT = "deployment"
    CONFIG_CHANGED = "config_changed"
    VENDOR_INCIDENT = "vendor_incident"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One recorded change at ``occurred_at``.

    ``workflow_id`` is ``None`` for a change that touches every workflow (a vendor incident, a
    shared credential); ``platform`` names the service it concerns, when it concerns one.
    """

    event_id: str
    occurred_at: datetime
    kind: ChangeKind
    description: str
    workflow_id: str | None = None
    platform: str | None = None
    author: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def applies_to(self, workflow_id: str) -> bool:
        """True when the change concerns ``workflow_id`` (its own or a fleet-wide change)."""
        return self.workflow_id is None or self.workflow_id == workflow_id
