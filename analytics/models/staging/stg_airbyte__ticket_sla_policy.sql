-- ticket_metric_events' apply_sla events -> the package's `ticket_sla_policy`: which policy applied to a ticket, when.
select distinct * from (
{{ zendesk_airbyte.stage_from_airbyte('ticket_metric_events', zendesk.get_ticket_sla_policy_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'policy_applied_at': zendesk_airbyte.utc_timestamp('src.time'),
    'sla_policy_id': zendesk_airbyte.json_text('src.sla', ['policy', 'id']),
    'ticket_id': 'src.ticket_id',
}, where="src.type = 'apply_sla'") }}
) as applications
