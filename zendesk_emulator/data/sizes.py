"""How big the generated account is. Zero means "derive from `tickets`", so one number scales the whole account."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Sizes:
    tickets: int = 2000
    users: int = 0
    organizations: int = 0
    groups: int = 0
    macros: int = 0
    ticket_fields: int = 0
    audits_per_ticket: float = 4.0
    # Records sharing one second, to exercise time-based export boundaries (> 1,000 = more than one export page).
    burst_tickets: int = 0
    burst_organizations: int = 0
    years: float = 4.0
    # Help Center articles and community posts (their comments, votes and attachments follow from them).
    articles: int = 0
    posts: int = 0

    def resolved(self) -> Sizes:
        """Every zero filled in from `tickets`; validated so generation never divides by zero."""
        t = self.tickets
        if t < 1:
            raise ValueError("tickets must be at least 1")
        if self.audits_per_ticket < 1:
            raise ValueError("audits_per_ticket must be at least 1")
        users = self.users or max(300, t // 4)
        orgs = self.organizations or max(2500, t // 20)
        return replace(
            self,
            users=max(users, 40),
            organizations=orgs,
            groups=self.groups or max(8, min(200, t // 200)),
            macros=self.macros or max(30, min(2000, t // 50)),
            ticket_fields=self.ticket_fields or 15,  # one of each of catalog.CUSTOM_TYPES
            burst_tickets=self.burst_tickets or min(1100, t * 3 // 5),
            burst_organizations=self.burst_organizations or min(1100, orgs * 3 // 5),
            articles=self.articles or max(40, min(1200, t // 60)),
            posts=self.posts or max(24, min(600, t // 150)),
        )
