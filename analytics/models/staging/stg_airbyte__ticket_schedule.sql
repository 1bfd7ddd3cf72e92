-- ticket_schedules -> the package's `ticket_schedule`: a schedule set on a ticket (by a trigger or the API), and when.
-- Tickets without one get the account's default schedule in the package.
{{ zendesk_airbyte.stage_from_airbyte('ticket_schedules', zendesk.get_ticket_schedule_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'created_at': zendesk_airbyte.utc_timestamp('src.created_at'),
    'schedule_id': 'src.schedule_id',
    'ticket_id': 'src.ticket_id',
}) }}
