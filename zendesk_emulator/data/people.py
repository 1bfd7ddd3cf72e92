"""Users and organizations: columns for time and membership, everything else derived from (seed, index).

Names and emails come from arithmetic on the index, not from a random stream, because every ticket needs its
requester's name and address (via.source.from) and that must stay cheap.
"""

from __future__ import annotations

import random

import numpy as np

from . import custom_fields, ids
from .columns import ROLES, OrgColumns, UserColumns
from .rng import KIND_ORG, KIND_USER, record_rng
from .textpool import COMPANY_SUFFIX, COMPANY_WORDS, FIRST_NAMES, FREE_MAIL, LAST_NAMES, LOCALES, TAGS, TIME_ZONES
from .timefmt import iso, iso_date

_REGIONS = ("amer", "emea", "apac")
_PLANS = ("starter", "growth", "enterprise")


def _mix(seed: int, index: int) -> int:
    return ((index + 1) * 0x9E3779B1 + seed * 0x85EBCA77 + 0x165667B1) & 0xFFFFFFFF


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


class Organizations:
    def __init__(self, seed: int, cols: OrgColumns, subdomain: str, groups: list[dict], org_fields: list[dict]):
        self.seed, self.cols = seed, cols
        self.base = f"https://{subdomain}.zendesk.com/api/v2"
        self.group_ids = [g["id"] for g in groups if not g["deleted"]]
        self.org_fields = org_fields
        combos = len(COMPANY_WORDS) * len(COMPANY_SUFFIX)
        self._perm = list(range(combos))
        random.Random(seed * 5 + 3).shuffle(self._perm)
        self.overrides: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.cols.created)

    def name(self, index: int) -> str:
        combos = len(self._perm)
        p = self._perm[index % combos]
        name = f"{COMPANY_WORDS[p % len(COMPANY_WORDS)]} {COMPANY_SUFFIX[p // len(COMPANY_WORDS)]}"
        return name if index < combos else f"{name} {index // combos + 1}"

    def domain(self, index: int) -> str:
        return f"{_slug(self.name(index))}.example"

    def record(self, index: int) -> dict:
        rng = record_rng(self.seed, KIND_ORG, index)
        oid = ids.ORGANIZATION + index + 1
        cols = self.cols
        deleted_at = int(cols.deleted_at[index])
        fields = self.org_fields
        record = {
            "url": f"{self.base}/organizations/{oid}.json",
            "id": oid,
            "name": self.name(index),
            "shared_tickets": rng.random() < 0.3,
            "shared_comments": rng.random() < 0.15,
            "external_id": f"crm-{100000 + index}" if rng.random() < 0.4 else None,
            "created_at": iso(int(cols.created[index])),
            "updated_at": iso(int(cols.updated[index])),
            "domain_names": [self.domain(index)] + ([f"{_slug(self.name(index))}.co.example"] if rng.random() < 0.2 else []),
            "details": f"Customer since {iso_date(int(cols.created[index]))}" if rng.random() < 0.5 else "",
            "notes": "Key account" if rng.random() < 0.1 else "",
            "group_id": self.group_ids[int(rng.random() * len(self.group_ids))] if self.group_ids and rng.random() < 0.3 else None,
            "tags": sorted({TAGS[int(rng.random() * 12)] for _ in range(int(rng.random() * 3))}),
            "organization_fields": {
                f["key"]: custom_fields.value(rng, f) for f in fields if f["active"]
            },
            "deleted_at": iso(deleted_at) if deleted_at else None,
        }
        extra = self.overrides.get(index)
        if extra:
            record.update(extra)
        return record


def _phone(rng: random.Random) -> str | None:
    """A third of users have a phone; the condition is drawn before the number."""
    return f"+1555{int(rng.random() * 10_000_000):07d}" if rng.random() < 0.35 else None


class Users:
    def __init__(self, seed: int, cols: UserColumns, subdomain: str, orgs: Organizations, memberships: list[dict],
                 user_fields: list[dict]):
        self.seed, self.cols, self.orgs, self.subdomain = seed, cols, orgs, subdomain
        self.base = f"https://{subdomain}.zendesk.com/api/v2"
        self.user_fields = user_fields
        self.default_group = {}
        for m in memberships:
            if m["default"]:
                self.default_group[m["user_id"]] = m["group_id"]
        self.overrides: dict[int, dict] = {}
        self._emails: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.cols.created)

    def user_id(self, index: int) -> int:
        return ids.USER + index + 1

    def name(self, index: int) -> str:
        h = _mix(self.seed, index)
        extra = self.overrides.get(index)
        if extra and "name" in extra:
            return extra["name"]
        return f"{FIRST_NAMES[h % len(FIRST_NAMES)]} {LAST_NAMES[(h >> 8) % len(LAST_NAMES)]}"

    def email(self, index: int) -> str:
        cached = self._emails.get(index)
        if cached is None:
            cached = self._email(index)
            if len(self._emails) < 500_000:
                self._emails[index] = cached
        return cached

    def _email(self, index: int) -> str:
        h = _mix(self.seed, index)
        local = f"{FIRST_NAMES[h % len(FIRST_NAMES)]}.{LAST_NAMES[(h >> 8) % len(LAST_NAMES)]}.{index + 1}".lower()
        if index == 0:
            return f"admin@{self.subdomain}.example"
        if self.cols.role[index]:
            return f"{local}@{self.subdomain}.example"
        org = int(self.cols.org[index])
        domain = self.orgs.domain(org) if org >= 0 else FREE_MAIL[(h >> 16) % len(FREE_MAIL)]
        return f"{local}@{domain}"

    def organization_id(self, index: int) -> int | None:
        org = int(self.cols.org[index])
        return ids.ORGANIZATION + org + 1 if org >= 0 else None

    def record(self, index: int) -> dict:
        rng = record_rng(self.seed, KIND_USER, index)
        cols = self.cols
        uid = self.user_id(index)
        role = ROLES[int(cols.role[index])]
        staff = role != "end-user"
        created, updated = int(cols.created[index]), int(cols.updated[index])
        zone, iana = TIME_ZONES[int(rng.random() * len(TIME_ZONES))]
        locale_id, locale = LOCALES[int(rng.random() * len(LOCALES))]
        phone = _phone(rng)
        last_login = updated - int(rng.random() * 3 * 86400) if staff or rng.random() < 0.4 else None
        photo = self._photo(uid, rng) if rng.random() < (0.8 if staff else 0.15) else None
        record = {
            "id": uid,
            "url": f"{self.base}/users/{uid}.json",
            "name": self.name(index),
            "email": self.email(index),
            "created_at": iso(created),
            "updated_at": iso(updated),
            "time_zone": zone,
            "iana_time_zone": iana,
            "phone": phone,
            "shared_phone_number": False if phone else None,
            "photo": photo,
            "locale_id": locale_id,
            "locale": locale,
            "organization_id": self.organization_id(index),
            "role": role,
            "verified": staff or rng.random() < 0.8,
            "external_id": f"cust-{index + 1}" if not staff and rng.random() < 0.3 else None,
            "tags": sorted({TAGS[int(rng.random() * 20)] for _ in range(int(rng.random() * 3))}),
            "alias": "" if not staff else None,
            "active": bool(cols.active[index]),
            "shared": False,
            "shared_agent": False,
            "last_login_at": iso(max(created, last_login)) if last_login else None,
            "two_factor_auth_enabled": staff and rng.random() < 0.7,
            "signature": f"Best,\n{self.name(index)}" if staff else None,
            "details": "",
            "notes": "",
            "role_type": (0 if role == "agent" else None) if staff else None,
            "custom_role_id": None,
            "moderator": staff,
            "ticket_restriction": None if staff else "requested",
            "only_private_comments": False,
            "restricted_agent": False,
            "suspended": not bool(cols.active[index]) and rng.random() < 0.1,
            "default_group_id": self.default_group.get(uid) if staff else None,
            "report_csv": role == "admin",
            "user_fields": {f["key"]: custom_fields.value(rng, f) for f in self.user_fields if f["active"]},
        }
        extra = self.overrides.get(index)
        if extra:
            record.update(extra)
        return record

    def _photo(self, uid: int, rng: random.Random) -> dict:
        aid = ids.ATTACHMENT + uid % 1_000_000_000 * 2
        def image(attachment_id: int, name: str, size: int, px: int) -> dict:
            url = f"https://{self.subdomain}.zendesk.com/system/photos/{attachment_id}/{name}"
            return {"url": f"{self.base}/attachments/{attachment_id}.json", "id": attachment_id, "file_name": name,
                    "content_url": url, "mapped_content_url": url, "content_type": "image/png", "size": size,
                    "width": px, "height": px, "inline": False, "deleted": False}
        photo = image(aid, "profile.png", 2000 + int(rng.random() * 8000), 80)
        photo["thumbnails"] = [image(aid + 1, "profile_thumb.png", 900 + int(rng.random() * 600), 32)]
        return photo

    def phone(self, index: int) -> str | None:
        """The user's phone without building the whole record: the same draws `record` makes before it."""
        extra = self.overrides.get(index)
        if extra and "phone" in extra:
            return extra["phone"]
        rng = record_rng(self.seed, KIND_USER, index)
        rng.random()  # time zone
        rng.random()  # locale
        return _phone(rng)

    def identity_times(self, index: int) -> tuple[int, int]:
        """(created, updated) of the user's identities: made with the account, verified within a day; never later
        than the user's own last update."""
        created, updated = int(self.cols.created[index]), int(self.cols.updated[index])
        return created, min(updated, created + _mix(self.seed, index) % 86400)

    def identities(self, index: int) -> list[dict]:
        """The primary email identity, and a phone identity when the user has a phone. Ids IDENTITY + 2 * index + 1
        (email) and + 2 (phone)."""
        uid = self.user_id(index)
        created, updated = (iso(t) for t in self.identity_times(index))
        out = [self._identity(uid, ids.IDENTITY + index * 2 + 1, "email", self.email(index), True, created, updated)]
        phone = self.phone(index)
        if phone:
            out.append(self._identity(uid, ids.IDENTITY + index * 2 + 2, "phone_number", phone, False, created, updated))
        return out

    def _identity(self, uid: int, iid: int, kind: str, value: str, primary: bool, created: str, updated: str) -> dict:
        return {"url": f"{self.base}/users/{uid}/identities/{iid}.json", "id": iid, "user_id": uid, "type": kind,
                "value": value, "verified": True, "primary": primary, "created_at": created, "updated_at": updated,
                "undeliverable_count": 0, "deliverable_state": "deliverable"}

    def staff_indexes(self) -> np.ndarray:
        return np.arange(self.cols.agents)
