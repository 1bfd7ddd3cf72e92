from .base import ZendeskStream
from .macros import Macros
from .ticket_audits import TicketAudits
from .tickets import Tags, TicketFields, TicketMetrics, Tickets
from .users import GroupMemberships, Groups, Organizations, Users

# The order of discover's catalog.
STREAMS: tuple[type[ZendeskStream], ...] = (
    Tickets,
    Users,
    Organizations,
    Groups,
    GroupMemberships,
    Macros,
    Tags,
    TicketFields,
    TicketMetrics,
    TicketAudits,
)

__all__ = ["STREAMS", "ZendeskStream"]
