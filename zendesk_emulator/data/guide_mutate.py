"""Changes to Help Center and community data, as people make them while a sync runs (one handler per stream):

- categories, sections, topics: create, update (a new description), delete (with everything under it, as Zendesk
  deletes a section's articles with the section).
- articles: create (by a staff member), update (an edit: title and body change, `edited_at` and `updated_at` move),
  delete (archived: gone from every list and the export, with its attachments, comments and votes).
- posts: create, update (details edited), delete (with its comments and votes).
- article_attachments: create and delete (an edit of the article, whose `edited_at` moves too); an attachment
  cannot be changed.
- article_comments, post_comments: create, update (body edited), delete (with its votes); a post's
  `comment_count` follows.
- article_votes, article_comment_votes, post_votes, post_comment_votes: create (a user who had not voted on the
  item votes), update (the user turns the vote around), delete (the vote is withdrawn); the item's `vote_count`
  and `vote_sum` follow.
Every changed record's `updated_at` is the mutation's time, and a changed child's parents up to its article or post
are touched then too (guide.touch_up).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from . import guide as gd
from .dataset import Dataset
from .guide import PARENT_OF, Builder, Guide, count_vote, guide, stamp, touch_up
from .timefmt import iso

Handler = Callable[[Dataset, random.Random, int, int, int, int], dict]
CHILDREN: dict[str, list[str]] = {}
for _child, (_parent, _key) in PARENT_OF.items():
    CHILDREN.setdefault(_parent, []).append(_child)


def _live(g: Guide, stream: str, keep: Callable[[dict], bool] = lambda r: True) -> list[dict]:
    return [r for r in g.tables[stream].values() if keep(r)]


def _pick(rng: random.Random, records: list[dict], n: int) -> list[dict]:
    return rng.sample(records, min(n, len(records)))


def _remove(g: Guide, stream: str, record: dict, gone: dict[str, list[dict]] | None = None) -> None:
    """A record and everything that hangs under it (subsections included), each noted in `gone` by stream."""
    if g.tables[stream].pop(record["id"], None) is None:
        return
    g.version += 1
    if gone is not None:
        gone.setdefault(stream, []).append(record)
    for child in CHILDREN.get(stream, []):
        for item in list(g.children(child, record["id"])):
            _remove(g, child, item, gone)
    if stream == "sections":
        for sub in [s for s in g.tables["sections"].values() if s["parent_section_id"] == record["id"]]:
            _remove(g, "sections", sub, gone)


def _add(b: Builder, stream: str, record: dict, ts: int) -> dict:
    b.add(stream, record, ts, ts)
    b.g.version += 1
    return record


def _summary(created: list[dict], updated: list[dict], deleted: list[dict]) -> dict:
    return {"created": [r["id"] for r in created], "updated": sorted(r["id"] for r in updated),
            "deleted": sorted(r["id"] for r in deleted)}


def _containers(stream: str, make: Callable[[Builder, int, int], dict]) -> Handler:
    """Categories, sections and topics: renamed on update, deleted with what they hold."""
    def handler(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        g = guide(ds)
        b = Builder(ds, g, rng)
        created = [_add(b, stream, make(b, g.next_id(stream), len(g.tables[stream])), ts) for _ in range(create)]
        fresh = {r["id"] for r in created}
        chosen = _pick(rng, _live(g, stream, lambda r: r["id"] not in fresh), update + delete)
        updated, deleted = chosen[:update], chosen[update:]
        for record in updated:
            record["description"] = f"{record['name']} (revised {iso(ts)})"
            stamp(record, ts)
        gone: dict[str, list[dict]] = {}
        for record in deleted:
            _remove(g, stream, record, gone)  # a section takes its subsections along
        return _summary(created, updated, gone.get(stream, []))
    return handler


def _section(b: Builder, sid: int, n: int) -> dict:
    categories = list(b.g.tables["categories"].values())
    if not categories:
        raise ValueError("no category left to hold a section: create a category first")
    return gd.new_section(b, sid, categories[int(b.rng.random() * len(categories))], n, None)


def _articles(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    g = guide(ds)
    b = Builder(ds, g, rng)
    sections = _live(g, "sections")
    if create and not sections:
        raise ValueError("no section left to hold an article: create a section first")
    created = []
    for _ in range(create):
        section = sections[int(rng.random() * len(sections))]
        created.append(_add(b, "articles", gd.new_article(b, g.next_id("articles"), section, b.person(ts, staff=True), ts), ts))
    fresh = {r["id"] for r in created}
    chosen = _pick(rng, _live(g, "articles", lambda r: r["id"] not in fresh), update + delete)
    updated, deleted = chosen[:update], chosen[update:]
    for article in updated:
        title = article["title"].split(" (rev. ")[0] + f" (rev. {ts % 1000})"
        article.update(title=title, name=title, body=article["body"] + f"<p>Updated {iso(ts)}.</p>", edited_at=iso(ts))
        stamp(article, ts)
    for article in deleted:
        _remove(g, "articles", article)
    return _summary(created, updated, deleted)


def _posts(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    g = guide(ds)
    b = Builder(ds, g, rng)
    topics = _live(g, "topics")
    if create and not topics:
        raise ValueError("no topic left to hold a post: create a topic first")
    created = [_add(b, "posts", gd.new_post(b, g.next_id("posts"), topics[int(rng.random() * len(topics))],
                                         b.person(ts), ts), ts) for _ in range(create)]
    fresh = {r["id"] for r in created}
    chosen = _pick(rng, _live(g, "posts", lambda r: r["id"] not in fresh), update + delete)
    updated, deleted = chosen[:update], chosen[update:]
    for post in updated:
        post["details"] += f"<p>Edited {iso(ts)}.</p>"
        stamp(post, ts)
    for post in deleted:
        _remove(g, "posts", post)
    return _summary(created, updated, deleted)


def _attachments(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    if update:
        raise ValueError("an article attachment cannot be changed: use create or delete")
    g = guide(ds)
    b = Builder(ds, g, rng)
    articles = _live(g, "articles")
    created = []
    for _ in range(create if articles else 0):
        article = articles[int(rng.random() * len(articles))]
        k = len(g.children("article_attachments", article["id"]))
        created.append(_add(b, "article_attachments", gd.new_attachment(b, g.next_id("article_attachments"), article, k), ts))
        article["edited_at"] = iso(ts)
        touch_up(g, "article_attachments", created[-1], ts)
    fresh = {r["id"] for r in created}
    deleted = _pick(rng, _live(g, "article_attachments", lambda r: r["id"] not in fresh), delete)
    for attachment in deleted:
        touch_up(g, "article_attachments", attachment, ts)
        g.tables["articles"][attachment["article_id"]]["edited_at"] = iso(ts)
        _remove(g, "article_attachments", attachment)
    return _summary(created, [], deleted)


def _comments(stream: str) -> Handler:
    """Article or post comments; a post's comment_count (and so its updated_at) follows its comments."""
    parent_stream, key = PARENT_OF[stream]
    on_post = parent_stream == "posts"

    def handler(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        g = guide(ds)
        b = Builder(ds, g, rng)
        parents = _live(g, parent_stream, lambda r: not r.get("comments_disabled") and not r.get("closed"))
        make = gd.new_post_comment if on_post else gd.new_article_comment
        created = []
        for _ in range(create if parents else 0):
            parent = parents[int(rng.random() * len(parents))]
            created.append(_add(b, stream, make(b, g.next_id(stream), parent, b.person(ts), ts), ts))
            if on_post:
                parent["comment_count"] += 1
            touch_up(g, stream, created[-1], ts)
        fresh = {r["id"] for r in created}
        chosen = _pick(rng, _live(g, stream, lambda r: r["id"] not in fresh), update + delete)
        updated, deleted = chosen[:update], chosen[update:]
        for comment in updated:
            comment["body"] += f"<p>Edited {iso(ts)}.</p>"
            stamp(comment, ts)
            touch_up(g, stream, comment, ts)
        for comment in deleted:
            touch_up(g, stream, comment, ts)
            if on_post:
                g.tables["posts"][comment[key]]["comment_count"] -= 1
            _remove(g, stream, comment)
        return _summary(created, updated, deleted)
    return handler


def _votes(stream: str) -> Handler:
    item_stream = PARENT_OF[stream][0]

    def handler(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        g = guide(ds)
        b = Builder(ds, g, rng)
        items = _live(g, item_stream)
        created = []
        for _ in range(create if items else 0):
            for _attempt in range(50):
                item = items[int(rng.random() * len(items))]
                user = b.person(ts)
                if all(v["user_id"] != user for v in g.children(stream, item["id"])):
                    break
            else:
                break
            value = 1 if rng.random() < 0.8 else -1
            created.append(_add(b, stream, gd.new_vote(b, g.next_id(stream), stream, item, user, value), ts))
            count_vote(item, value, 1)
            touch_up(g, stream, created[-1], ts)
        fresh = {r["id"] for r in created}
        chosen = _pick(rng, _live(g, stream, lambda r: r["id"] not in fresh), update + delete)
        updated, deleted = chosen[:update], chosen[update:]
        for vote in updated:
            item = g.tables[item_stream][vote["item_id"]]
            count_vote(item, vote["value"], -1)
            vote["value"] = -vote["value"]
            count_vote(item, vote["value"], 1)
            stamp(vote, ts)
            touch_up(g, stream, vote, ts)
        for vote in deleted:
            count_vote(g.tables[item_stream][vote["item_id"]], vote["value"], -1)
            touch_up(g, stream, vote, ts)
            _remove(g, stream, vote)
        return _summary(created, updated, deleted)
    return handler


categories = _containers("categories", lambda b, i, n: gd.new_category(b, i, n))
sections = _containers("sections", _section)
topics = _containers("topics", lambda b, i, n: gd.new_topic(b, i, n))
articles = _articles
posts = _posts
article_attachments = _attachments
article_comments = _comments("article_comments")
post_comments = _comments("post_comments")
article_votes = _votes("article_votes")
article_comment_votes = _votes("article_comment_votes")
post_votes = _votes("post_votes")
post_comment_votes = _votes("post_comment_votes")
