"""Id spaces. Tickets count from 1 like Zendesk's nice ids; other records get large ids in disjoint ranges, so an id
alone says what it is and no two kinds of record ever share one."""

USER = 380_000_000_000
ORGANIZATION = 381_000_000_000
GROUP = 382_000_000_000
MEMBERSHIP = 383_000_000_000
MACRO = 384_000_000_000
FIELD = 385_000_000_000
OPTION = 386_000_000_000
AUDIT = 387_000_000_000
EVENT = 388_000_000_000  # + audit row * EVENTS_PER_AUDIT + event position
EVENTS_PER_AUDIT = 32
METRIC = 389_000_000_000
RATING = 390_000_000_000
ATTACHMENT = 391_000_000_000
BRAND = 392_000_000_000
FORM = 393_000_000_000
USER_FIELD = 394_000_000_000
ORG_FIELD = 395_000_000_000
SLA = 396_000_000_000
IDENTITY = 397_000_000_000
CUSTOM_STATUS = 398_000_000_000
ORG_MEMBERSHIP = 399_000_000_000  # + user index * 2 + 1 (the default membership) or + 2 (a second organization)
AUDIT_LOG = 400_000_000_000
ACTIVITY = 401_000_000_000  # + ticket audit row + 1: an activity comes from one audit
SKIP = 402_000_000_000  # + ticket index * 2 + k + 1
CUSTOM_ROLE = 403_000_000_000
SCHEDULE = 404_000_000_000
CATALOG_CREATED = 405_000_000_000  # automations, triggers and roles created through mutations
# Help Center and community (data/guide.py): + a serial per kind, in creation order.
HC_CATEGORY = 406_000_000_000
HC_SECTION = 407_000_000_000
ARTICLE = 408_000_000_000
ARTICLE_ATTACHMENT = 409_000_000_000
ARTICLE_COMMENT = 410_000_000_000
TOPIC = 411_000_000_000
POST = 412_000_000_000
POST_COMMENT = 413_000_000_000
VOTE = 414_000_000_000  # every kind of vote (article, article comment, post, post comment) shares one id space
HOLIDAY = 415_000_000_000  # schedule holidays, a serial over all schedules
CUSTOM_OBJECT_FIELD = 416_000_000_000  # custom object fields (+ 500,000,000: their options)
VIEW = 417_000_000_000
SUSPENDED = 418_000_000_000  # suspended tickets, a serial (those created by mutations from 1,000,000 on)
# Automations and triggers keep the small ids the generated audits' via.source already names.
AUTOMATION = 360_000_000_100
TRIGGER = 360_000_000_200
