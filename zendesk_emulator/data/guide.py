"""Help Center and community ("Guide"): categories -> sections -> articles (with attachments, comments and votes,
comments with their own votes), and topics -> posts (with comments and votes, comments with their own votes).

Built whole on first use from its own random stream (seed-fixed, whatever was read or mutated before): sizes come
from `Sizes.articles` and `Sizes.posts`; authors, commenters and voters are the account's generated users, each
existing when it acts (articles and official answers by staff); every timestamp lies in the account's time range.
A record is a dict in Zendesk's JSON shape plus internal `_created`/`_updated` integers (stripped when rendered).

Counts agree with the children (`vote_count`/`vote_sum` of an article, a post or a comment; a post's
`comment_count`), and so do the parents' `updated_at`: Zendesk's article `updated_at` "also records when other
article updates were made, such as when somebody added a comment to the article" (its `edited_at` moves only when
the article itself is edited; developer docs, "Using the Help Center API to manage article translations"). So every
child's change (a comment, a vote, an attachment; created, edited or removed) touches its chain up to the article or
post, as a Rails `touch` would: a vote on a comment moves the comment and its article (or post). Mutations:
guide_mutate.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from . import ids
from .dataset import Dataset
from .derive import state
from .textpool import PRODUCTS
from .timefmt import iso

LOCALE = "en-us"
CATEGORY_NAMES = ("Getting started", "Account and billing", "Orders and shipping", "Troubleshooting",
                  "Integrations and API", "Security and privacy", "Mobile app", "Release notes")
SECTION_NAMES = ("Basics", "Frequently asked questions", "How-to guides", "Known issues", "Advanced")
TITLES = ("How to set up the {p}", "Troubleshooting the {p}", "{P}: frequently asked questions",
          "What to do when the {p} fails", "Getting the most out of the {p}", "Changing your {p}",
          "Understanding {p} limits", "Why can't I see my {p}?")
LABELS = ("setup", "billing", "faq", "howto", "troubleshooting", "mobile", "api", "security")
TOPIC_NAMES = ("Feature requests", "Tips and tricks", "Announcements", "Questions and answers", "Integrations",
               "Community showcase", "Bug reports", "General discussion")
FILES = (("screenshot-{n}.png", "image/png", True), ("diagram-{n}.jpg", "image/jpeg", True),
         ("setup-guide-{n}.pdf", "application/pdf", False), ("sample-{n}.csv", "text/csv", False))
# Child collections and the stream (truth) names they are served under.
STREAMS = ("categories", "sections", "articles", "article_attachments", "article_comments", "article_votes",
           "article_comment_votes", "topics", "posts", "post_comments", "post_votes", "post_comment_votes")
HELP_CENTER_STREAMS = STREAMS[:7]
COMMUNITY_STREAMS = STREAMS[7:]
VOTE_ITEMS = {"article_votes": "Article", "article_comment_votes": "Comment", "post_votes": "Post",
              "post_comment_votes": "PostComment"}
PARENT_OF = {"sections": ("categories", "category_id"), "articles": ("sections", "section_id"),
             "article_attachments": ("articles", "article_id"), "article_comments": ("articles", "source_id"),
             "article_votes": ("articles", "item_id"), "article_comment_votes": ("article_comments", "item_id"),
             "posts": ("topics", "topic_id"), "post_comments": ("posts", "post_id"), "post_votes": ("posts", "item_id"),
             "post_comment_votes": ("post_comments", "item_id")}
ID_BASE = {"categories": ids.HC_CATEGORY, "sections": ids.HC_SECTION, "articles": ids.ARTICLE,
           "article_attachments": ids.ARTICLE_ATTACHMENT, "article_comments": ids.ARTICLE_COMMENT, "topics": ids.TOPIC,
           "posts": ids.POST, "post_comments": ids.POST_COMMENT, **{k: ids.VOTE for k in VOTE_ITEMS}}


@dataclass
class Guide:
    """Every live Guide record by stream, each a dict id -> record in creation order."""
    tables: dict[str, dict[int, dict]] = field(default_factory=lambda: {name: {} for name in STREAMS})
    serial: dict[int, int] = field(default_factory=dict)  # id base -> last serial handed out
    version: int = 0  # moves on every mutation (children indexes are rebuilt)
    _index: dict[str, dict[int, list[dict]]] = field(default_factory=dict)
    _index_version: int = -1

    def next_id(self, stream: str) -> int:
        base = ID_BASE[stream]
        self.serial[base] = self.serial.get(base, 0) + 1
        return base + self.serial[base]

    def children(self, stream: str, parent_id: int) -> list[dict]:
        """Live records of `stream` under one parent, in creation order."""
        if self._index_version != self.version:
            self._index, self._index_version = {}, self.version
        index = self._index.get(stream)
        if index is None:
            index = self._index[stream] = {}
            key = PARENT_OF[stream][1]
            for record in self.tables[stream].values():
                index.setdefault(record[key], []).append(record)
        return index.get(parent_id, [])


def guide(ds: Dataset) -> Guide:
    return state(ds, "guide", lambda: Builder(ds).build())


def public(record: dict) -> dict:
    return {k: v for k, v in record.items() if k[0] != "_"}


def stamp(record: dict, updated: int) -> None:
    record["_updated"], record["updated_at"] = updated, iso(updated)


TOUCHES = frozenset({"article_attachments", "article_comments", "article_votes", "article_comment_votes",
                     "post_comments", "post_votes", "post_comment_votes"})


def touch_up(g: Guide, stream: str, record: dict, ts: int) -> None:
    """A child changed at `ts`: its parents up to the article or post were updated then too (never moved back)."""
    while stream in TOUCHES:
        stream, key = PARENT_OF[stream]
        record = g.tables[stream][record[key]]
        stamp(record, max(record["_updated"], ts))


class Builder:
    """Makes records: the whole tree at first use, or (with a mutation's random stream) one record at a time."""

    def __init__(self, ds: Dataset, g: Guide | None = None, rng: random.Random | None = None):
        self.ds, self.g = ds, g or Guide()
        self.rng = rng or random.Random(ds.seed * 31 + 4001)
        self.base = ds.catalog.base
        self.hc = f"https://{ds.subdomain}.zendesk.com/hc/{LOCALE}"
        self.start, self.end = ds.catalog.start, ds.catalog.end
        n = ds.sizes.users  # the generated users: later ones come from mutations
        self.user_created = np.asarray(ds.users.cols.created[:n]).copy()
        self.agents = ds.users.cols.agents

    # -- helpers ---------------------------------------------------------------------------------------------------
    def when(self, low: int, high: int) -> int:
        return low + int(max(0, high - low) * self.rng.random())

    def person(self, at: int, staff: bool = False) -> int:
        """A user that existed at `at`: staff (agents and admins) or anyone."""
        existing = max(1, int(np.searchsorted(self.user_created, at, "right")))
        pool = min(existing, self.agents) if staff else existing
        return ids.USER + 1 + int(self.rng.random() * pool)

    def voters(self, at: int, n: int) -> list[int]:
        existing = max(1, int(np.searchsorted(self.user_created, at, "right")))
        return [ids.USER + 1 + k for k in self.rng.sample(range(existing), min(n, existing))]

    def add(self, stream: str, record: dict, created: int, updated: int) -> dict:
        record.update(created_at=iso(created), _created=created)
        stamp(record, updated)
        self.g.tables[stream][record["id"]] = record
        return record

    # -- the tree --------------------------------------------------------------------------------------------------
    def build(self) -> Guide:
        sizes, span = self.ds.sizes, self.end - self.start
        n_categories = min(len(CATEGORY_NAMES), 3 + sizes.articles // 300)
        for i in range(n_categories):
            created = self.when(self.start + span // 50, self.start + span // 10)
            category = self.add("categories", new_category(self, self.g.next_id("categories"), i), created,
                                created if self.rng.random() < 0.5 else self.when(created, self.end))
            first = None
            for j in range(2 + int(self.rng.random() * 3)):
                at = self.when(created, created + span // 10)
                parent: dict | None = first if j > 1 and self.rng.random() < 0.3 else None  # a subsection of the first section
                at = max(at, parent["_created"]) if parent else at
                section = self.add("sections", new_section(self, self.g.next_id("sections"), category, j,
                                                           parent["id"] if parent else None),
                                   at, at if self.rng.random() < 0.6 else self.when(at, self.end))
                first = first or section
        sections = list(self.g.tables["sections"].values())
        for _ in range(sizes.articles):
            self.article(sections[int(self.rng.random() * len(sections))])
        for i in range(min(len(TOPIC_NAMES), 4 + sizes.posts // 150)):
            created = self.when(self.start + span // 20, self.start + span // 5)
            self.add("topics", new_topic(self, self.g.next_id("topics"), i), created,
                     created if self.rng.random() < 0.5 else self.when(created, self.end))
        topics = list(self.g.tables["topics"].values())
        for _ in range(sizes.posts):
            self.post(topics[int(self.rng.random() * len(topics))])
        self.g.version += 1
        return self.g

    def article(self, section: dict) -> None:
        rng = self.rng
        created = self.when(section["_created"], self.end)
        edited = created if rng.random() < 0.4 else self.when(created, self.end)
        record = new_article(self, self.g.next_id("articles"), section, self.person(created, staff=True), created)
        record.update(edited_at=iso(edited), comments_disabled=rng.random() < 0.1, draft=rng.random() < 0.05,
                      promoted=rng.random() < 0.05,
                      label_names=rng.sample(LABELS, int(rng.random() * 3)))
        self.add("articles", record, created, edited)
        for k in range(int(rng.random() ** 2 * 3.5) if rng.random() < 0.3 else 0):
            at = self.when(created, edited)
            self.add("article_attachments", new_attachment(self, self.g.next_id("article_attachments"), record, k), at, at)
        self.votes("article_votes", record, int(rng.random() ** 2 * 12))
        if not record["comments_disabled"]:
            for _ in range(int(rng.random() ** 2 * 5)):
                at = self.when(created, self.end)
                comment = self.add("article_comments", new_article_comment(self, self.g.next_id("article_comments"),
                                                                           record, self.person(at), at), at, at)
                if rng.random() < 0.1:
                    stamp(comment, self.when(at, self.end))
                touch_up(self.g, "article_comments", comment, comment["_updated"])
                self.votes("article_comment_votes", comment, int(rng.random() ** 2 * 4))

    def post(self, topic: dict) -> None:
        rng = self.rng
        created = self.when(topic["_created"], self.end)
        record = new_post(self, self.g.next_id("posts"), topic, self.person(created, staff=rng.random() < 0.15), created)
        self.add("posts", record, created, created if rng.random() < 0.7 else self.when(created, self.end))
        for _ in range(int(rng.random() ** 1.5 * 7)):
            at = self.when(created, self.end)
            author = self.person(at, staff=rng.random() < 0.25)
            comment = self.add("post_comments", new_post_comment(self, self.g.next_id("post_comments"), record, author,
                                                                 at), at, at)
            comment["official"] = author - ids.USER - 1 < self.agents and rng.random() < 0.5
            record["comment_count"] += 1
            touch_up(self.g, "post_comments", comment, at)
            self.votes("post_comment_votes", comment, int(rng.random() ** 2 * 4))
        self.votes("post_votes", record, int(rng.random() ** 2 * 10))

    def votes(self, stream: str, item: dict, n: int) -> None:
        for user in self.voters(self.end, n) if n else []:
            at = self.when(max(item["_created"], int(self.user_created[user - ids.USER - 1])), self.end)
            value = 1 if self.rng.random() < 0.8 else -1
            vote = self.add(stream, new_vote(self, self.g.next_id(stream), stream, item, user, value), at, at)
            count_vote(item, value, 1)
            touch_up(self.g, stream, vote, at)


def count_vote(item: dict, value: int, sign: int) -> None:
    item["vote_count"] += sign
    item["vote_sum"] += sign * value


# -- record shapes (Zendesk's Help Center API reference) ----------------------------------------------------------------
def new_category(b, cid: int, i: int) -> dict:
    name = CATEGORY_NAMES[i % len(CATEGORY_NAMES)] + ("" if i < len(CATEGORY_NAMES) else f" {i + 1}")
    return {"id": cid, "url": f"{b.base}/help_center/{LOCALE}/categories/{cid}.json",
            "html_url": f"{b.hc}/categories/{cid}", "position": i, "name": name,
            "description": f"Everything about {name.lower()}.", "locale": LOCALE, "source_locale": LOCALE,
            "outdated": False}


def new_section(b, sid: int, category: dict, j: int, parent: int | None) -> dict:
    name = f"{category['name']}: {SECTION_NAMES[j % len(SECTION_NAMES)]}"
    return {"id": sid, "url": f"{b.base}/help_center/{LOCALE}/sections/{sid}.json",
            "html_url": f"{b.hc}/sections/{sid}", "category_id": category["id"], "parent_section_id": parent,
            "position": j, "sorting": "manual", "name": name, "description": "", "locale": LOCALE,
            "source_locale": LOCALE, "outdated": False, "theme_template": "section_page"}


def new_article(b, aid: int, section: dict, author: int, created: int) -> dict:
    product = PRODUCTS[int(b.rng.random() * len(PRODUCTS))].format(n=100 + int(b.rng.random() * 900))
    title = TITLES[int(b.rng.random() * len(TITLES))].format(p=product, P=product[0].upper() + product[1:])
    body = "".join(f"<p>{p}</p>" for p in (b.ds.text.paragraphs[int(b.rng.random() * 1024)] for _ in range(3)))
    return {"id": aid, "url": f"{b.base}/help_center/{LOCALE}/articles/{aid}.json",
            "html_url": f"{b.hc}/articles/{aid}", "author_id": author, "comments_disabled": False, "draft": False,
            "promoted": False, "position": 0, "vote_sum": 0, "vote_count": 0, "section_id": section["id"],
            "edited_at": iso(created), "name": title, "title": title, "source_locale": LOCALE, "locale": LOCALE,
            "outdated": False, "outdated_locales": [], "permission_group_id": 1, "user_segment_id": None,
            "content_tag_ids": [], "label_names": [], "body": body}


def new_attachment(b, tid: int, article: dict, k: int) -> dict:
    name, kind, inline = FILES[int(b.rng.random() * len(FILES))]
    name = name.format(n=k + 1)
    return {"id": tid, "url": f"{b.base}/help_center/articles/attachments/{tid}.json", "article_id": article["id"],
            "display_file_name": name, "file_name": name, "locale": LOCALE,
            "content_url": f"https://{b.ds.subdomain}.zendesk.com/hc/article_attachments/{tid}/{name}",
            "relative_path": f"/hc/article_attachments/{tid}/{name}", "content_type": kind,
            "size": 1_000 + int(b.rng.random() * 60_000), "inline": inline}


def new_article_comment(b, cid: int, article: dict, author: int, at: int) -> dict:
    text = b.ds.text.paragraphs[int(b.rng.random() * 1024)]
    return {"id": cid, "url": f"{b.base}/help_center/articles/{article['id']}/comments/{cid}.json",
            "html_url": f"{article['html_url']}/comments/{cid}", "body": f"<p>{text}</p>", "author_id": author,
            "source_id": article["id"], "source_type": "Article", "locale": LOCALE, "vote_sum": 0, "vote_count": 0,
            "non_author_editor_id": None, "non_author_updated_at": None}


def new_topic(b, tid: int, i: int) -> dict:
    name = TOPIC_NAMES[i % len(TOPIC_NAMES)] + ("" if i < len(TOPIC_NAMES) else f" {i + 1}")
    return {"id": tid, "url": f"{b.base}/community/topics/{tid}.json", "html_url": f"{b.hc}/community/topics/{tid}",
            "name": name, "description": f"{name} from the community.", "position": i,
            "follower_count": 1 + int(b.rng.random() * 300), "community_id": None, "manageable_by": "managers",
            "user_segment_id": None}


POST_STATUSES = {"Feature requests": ("none", "planned", "not_planned", "completed"),
                 "Questions and answers": ("none", "answered"), "Bug reports": ("none", "planned", "completed")}


def new_post(b, pid: int, topic: dict, author: int, created: int) -> dict:
    rng = b.rng
    statuses = POST_STATUSES.get(topic["name"], ("none",))
    text = b.ds.text.paragraphs[int(rng.random() * 1024)]
    return {"id": pid, "url": f"{b.base}/community/posts/{pid}.json", "html_url": f"{b.hc}/community/posts/{pid}",
            "title": b.ds.text.subject(rng), "details": f"<p>{text}</p>", "author_id": author, "topic_id": topic["id"],
            "status": statuses[int(rng.random() * len(statuses))], "pinned": rng.random() < 0.03,
            "featured": rng.random() < 0.05, "closed": rng.random() < 0.05, "frozen": False,
            "follower_count": 1 + int(rng.random() * 20), "comment_count": 0, "vote_sum": 0, "vote_count": 0,
            "content_tag_ids": [], "non_author_editor_id": None, "non_author_updated_at": None}


def new_post_comment(b, cid: int, post: dict, author: int, at: int) -> dict:
    text = b.ds.text.paragraphs[int(b.rng.random() * 1024)]
    return {"id": cid, "url": f"{b.base}/community/posts/{post['id']}/comments/{cid}.json",
            "html_url": f"{post['html_url']}/comments/{cid}", "body": f"<p>{text}</p>", "author_id": author,
            "post_id": post["id"], "official": False, "vote_sum": 0, "vote_count": 0, "non_author_editor_id": None,
            "non_author_updated_at": None}


def new_vote(b, vid: int, stream: str, item: dict, user: int, value: int) -> dict:
    return {"id": vid, "url": f"{b.base}/help_center/votes/{vid}.json", "user_id": user, "value": value,
            "item_id": item["id"], "item_type": VOTE_ITEMS[stream]}


def attachment_bytes(record: dict) -> bytes:
    """The file behind an attachment's `content_url`: `size` bytes, starting like a file of its type."""
    head = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff\xe0", "application/pdf": b"%PDF-1.7\n",
            "text/csv": b"id,value\n"}.get(record["content_type"], b"")
    return (head + b"0" * record["size"])[: record["size"]]


def truth(stream: str):
    """The whole table as the API serves it right now (in creation order)."""
    return lambda ds: [public(r) for r in guide(ds).tables[stream].values()]
