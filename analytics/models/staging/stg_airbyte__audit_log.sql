-- audit_logs -> the package's `audit_log` (schedule and user role histories).
{{ zendesk_airbyte.stage_from_airbyte('audit_logs', zendesk.get_audit_log_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'action': 'src.action',
    'actor_id': 'src.actor_id',
    'change_description': 'src.change_description',
    'created_at': zendesk_airbyte.utc_timestamp('src.created_at'),
    'id': 'src.id',
    'source_id': 'src.source_id',
    'source_label': 'src.source_label',
    'source_type': 'src.source_type',
}) }}
