-- ticket_forms -> the package's `ticket_form_history` (the forms as they are now; deleted ones marked deleted).
{{ zendesk_airbyte.stage_from_airbyte('ticket_forms', zendesk.get_ticket_form_history_columns(), {
    '_fivetran_deleted': 'src.deleted_at is not null',
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'active': 'src.active',
    'created_at': zendesk_airbyte.utc_timestamp('src.created_at'),
    'display_name': 'src.display_name',
    'end_user_visible': 'src.end_user_visible',
    'id': 'src.id',
    'name': 'src.name',
    'updated_at': zendesk_airbyte.utc_timestamp('src.updated_at'),
}) }}
