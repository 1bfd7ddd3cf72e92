"""Account-level endpoints: settings (the official Airbyte connector's connection check reads
`settings.active_features.organization_access_enabled`), the authenticated user, and small lists some clients
probe during discovery (Talk phone numbers, SLA policies)."""

from __future__ import annotations

from .. import types
from ..data.dataset import Dataset
from .http import ok, raw


def settings(ds: Dataset) -> types.ApiResponse:
    return ok({"settings": {
        "branding": {"header_color": "03363D", "page_background_color": "333333", "tab_background_color": "7FA239",
                     "text_color": "FFFFFF", "header_logo_url": None, "favicon_url": None},
        "apps": {"use": True, "create_private": True, "create_public": False},
        "tickets": {"comments_public_by_default": True, "list_newest_comments_first": True,
                    "collaboration": True, "private_attachments": False, "email_attachments": True,
                    "agent_collision": True, "tagging": True, "list_empty_views": True, "maximum_personal_views_to_list": 8,
                    "status_hold": True, "markdown_ticket_comments": False, "rich_text_comments": True,
                    "emoji_autocompletion": True, "has_color_text": True, "is_first_comment_private_enabled": True,
                    "agent_ticket_deletion": False, "auto_updated_ccs_followers_rules": False},
        "agents": {"agent_workspace": True, "focus_mode": False, "unified_agent_statuses": False},
        "groups": {"check_group_name_uniqueness": True},
        "chat": {"enabled": False, "maximum_request_count": 1, "welcome_message": "Hi there. How can I help today?"},
        "voice": {"enabled": False, "maintenance": False, "logging": True, "outbound_enabled": True},
        "user": {"tagging": True, "time_zone_selection": True, "language_selection": True,
                 "multiple_organizations": True, "agent_created_welcome_emails": True, "end_user_phone_number_validation": False,
                 "have_gravatars_enabled": True},
        "brands": {"default_brand_id": ds.catalog.brands[0]["id"], "require_brand_on_new_tickets": False},
        "localization": {"locale_ids": [1]},
        "lotus": {"prefer_lotus": True, "reporting": True, "pod_id": 23},
        "statistics": {"forum": True, "search": True, "rule_usage": True},
        "api": {"accepted_api_agreement": True, "api_password_access": "false", "api_token_access": "true"},
        "rule": {"macro_most_used": True, "macro_order": "alphabetical", "skill_based_filtered_views": [],
                 "using_skill_based_routing": True},
        "limits": {"attachment_size": 52428800},
        "active_features": {
            "on_hold_status": True, "user_tagging": True, "ticket_tagging": True, "topic_suggestion": False,
            "voice": False, "facebook_login": False, "google_login": False, "twitter_login": False,
            "forum_analytics": True, "agent_forwarding": False, "chat": False, "chat_about_my_ticket": False,
            "customer_satisfaction": True, "satisfaction_prediction": False, "csat_reason_code": True,
            "screencasts": False, "markdown": False, "bcc_archiving": False, "allow_ccs": True,
            "advanced_analytics": False, "insights": False, "sandbox": False, "suspended_ticket_notification": False,
            "twitter": False, "facebook": False, "feedback_tabs": False, "dynamic_contents": True,
            "light_agents": False, "ticket_forms": True, "user_org_fields": True, "is_abusive": False,
            "rich_content_in_emails": True, "organization_access_enabled": True, "allow_email_template_customization": True,
            "explore": True, "explore_on_support_pro_plan": False, "good_data_and_explore": False,
            "good_data_only": False, "explore_not_set": False, "benchmark_opt_out": False, "fallback_composer": False,
        },
    }})


def me(ds: Dataset, user_id: int | None) -> types.ApiResponse:
    index = (user_id or 0) - ds.users.user_id(0)
    if user_id is None or not 0 <= index < len(ds.users):
        return ok({"user": {"id": None, "url": None, "name": "Anonymous user", "email": "invalid@example.com",
                            "created_at": None, "updated_at": None, "time_zone": "UTC", "iana_time_zone": "Etc/UTC",
                            "role": "end-user", "active": True, "verified": False, "locale": "en-US", "locale_id": 1,
                            "organization_id": None, "tags": [], "user_fields": {}}})
    return raw(b'{"user":' + ds.user_bytes(index) + b"}")


def empty_list(key: str) -> types.ApiResponse:
    return ok({key: [], "next_page": None, "previous_page": None, "count": 0})
