from airbyte_cdk.sources.utils import casing

from .account import (
    AccountAttributes,
    AttributeDefinitions,
    AuditLogs,
    Brands,
    CustomRoles,
    ScheduleHolidays,
    Schedules,
)
from .base import ZendeskStream
from .business_rules import Automations, Macros, SlaPolicies, Triggers, Views
from .community import PostComments, PostCommentVotes, Posts, PostVotes, Topics
from .conversation_log import ConversationLog
from .custom_objects import CustomObjectFields, CustomObjectRecords, CustomObjects
from .help_center import (
    ArticleAttachments,
    ArticleComments,
    ArticleCommentVotes,
    Articles,
    ArticleVotes,
    Categories,
    Sections,
)
from .side_conversations import SideConversations
from .ticket_audits import TicketAudits
from .ticket_events import (
    TicketComments,
    TicketEvents,
    TicketFieldHistory,
    TicketMetricEvents,
    TicketSchedules,
    TicketSlaPolicies,
)
from .tickets import (
    CustomStatuses,
    DeletedTickets,
    SatisfactionRatings,
    SuspendedTickets,
    Tags,
    TicketActivities,
    TicketFields,
    TicketForms,
    TicketMetrics,
    Tickets,
    TicketSkips,
)
from .users import (
    DeletedUsers,
    GroupMemberships,
    Groups,
    OrganizationFields,
    OrganizationMemberships,
    Organizations,
    UserFields,
    UserIdentities,
    Users,
)

# The order of discover's catalog: the seed's ten tables first, the Help Center and community (Guide) last. Every
# list of streams elsewhere (tests, tools, benchmarks) is derived from this one.
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
    SideConversations,
    ConversationLog,
    TicketEvents,
    TicketComments,
    TicketFieldHistory,
    TicketSchedules,
    TicketMetricEvents,
    TicketSlaPolicies,
    UserIdentities,
    SatisfactionRatings,
    OrganizationMemberships,
    OrganizationFields,
    UserFields,
    TicketForms,
    Brands,
    CustomRoles,
    Schedules,
    ScheduleHolidays,
    SlaPolicies,
    Automations,
    Triggers,
    AccountAttributes,
    AttributeDefinitions,
    AuditLogs,
    TicketActivities,
    TicketSkips,
    CustomStatuses,
    DeletedTickets,
    DeletedUsers,
    Views,
    SuspendedTickets,
    CustomObjects,
    CustomObjectFields,
    CustomObjectRecords,
    Articles,
    ArticleAttachments,
    ArticleComments,
    ArticleVotes,
    ArticleCommentVotes,
    Categories,
    Sections,
    Topics,
    Posts,
    PostComments,
    PostVotes,
    PostCommentVotes,
)


def stream_name(stream: type[ZendeskStream]) -> str:
    """A stream class's name in the catalog, as the CDK derives it (TicketMetrics: ticket_metrics)."""
    return casing.camel_to_snake(stream.__name__)


BY_NAME: dict[str, type[ZendeskStream]] = {stream_name(stream): stream for stream in STREAMS}

__all__ = ["BY_NAME", "STREAMS", "ZendeskStream", "stream_name"]
