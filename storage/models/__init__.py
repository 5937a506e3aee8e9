"""SQLAlchemy 2.0 typed models. Import every model module here so metadata is complete."""

from storage.models.access import AccessGrant
from storage.models.base import Base
from storage.models.bot_state import BotStateDocument
from storage.models.conversations import ConversationRef, TeamsUser
from storage.models.directory import (
    AuditEntry,
    ItSystem,
    OrgUnit,
    Person,
    RoleAssignment,
)
from storage.models.kitos import KitosHighWater, KitosSyncRun
from storage.models.meetings import BodyChannel, Meeting, ReminderOptOut
from storage.models.outbox import DispatcherHeartbeat, OutboxMessage
from storage.models.portfolio import (
    Initiative,
    InitiativeEvent,
    InitiativeFollower,
    InitiativeSystem,
)
from storage.models.procurement import ProcurementChannel, ProcurementEvent, ProcurementRequest

__all__ = [
    "AccessGrant",
    "AuditEntry",
    "Base",
    "BodyChannel",
    "BotStateDocument",
    "ConversationRef",
    "DispatcherHeartbeat",
    "Initiative",
    "InitiativeEvent",
    "InitiativeFollower",
    "InitiativeSystem",
    "ItSystem",
    "KitosHighWater",
    "KitosSyncRun",
    "Meeting",
    "OrgUnit",
    "OutboxMessage",
    "Person",
    "ProcurementChannel",
    "ProcurementEvent",
    "ProcurementRequest",
    "ReminderOptOut",
    "RoleAssignment",
    "TeamsUser",
]
