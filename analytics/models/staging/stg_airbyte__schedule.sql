-- schedules.intervals -> the package's `schedule`: one row per weekly interval (minutes from Sunday 00:00, local).
{{ zendesk_airbyte.stage_from_airbyte('schedules', zendesk.get_schedule_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'created_at': zendesk_airbyte.utc_timestamp('src.created_at'),
    'end_time': zendesk_airbyte.json_element_field('schedule_interval', 'end_time'),
    'id': 'src.id',
    'name': 'src.name',
    'start_time': zendesk_airbyte.json_element_field('schedule_interval', 'start_time'),
    'time_zone': 'src.time_zone',
}, joins=zendesk_airbyte.json_array_rows('src.intervals', 'schedule_interval')) }}
