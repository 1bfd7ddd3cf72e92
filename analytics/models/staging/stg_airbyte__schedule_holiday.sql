-- schedule_holidays -> the package's `schedule_holiday`: a schedule's holidays, first and last day (local dates).
{{ zendesk_airbyte.stage_from_airbyte('schedule_holidays', zendesk.get_schedule_holiday_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'end_date': 'src.end_date',
    'id': 'src.id',
    'name': 'src.name',
    'schedule_id': 'src.schedule_id',
    'start_date': 'src.start_date',
}) }}
