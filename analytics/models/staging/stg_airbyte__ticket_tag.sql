-- tickets.tags -> the package's `ticket_tag`: one row per tag of a ticket.
{{ zendesk_airbyte.stage_from_airbyte('tickets', zendesk.get_ticket_tag_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'ticket_id': 'src.id',
    'tag': zendesk_airbyte.json_element_text('tag'),
}, joins=zendesk_airbyte.json_array_rows('src.tags', 'tag')) }}
