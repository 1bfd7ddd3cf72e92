-- organizations -> the package's `organization`.
{{ zendesk_airbyte.stage_from_airbyte('organizations', zendesk.get_organization_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'created_at': zendesk_airbyte.utc_timestamp('src.created_at'),
    'details': 'src.details',
    'external_id': 'src.external_id',
    'group_id': 'src.group_id',
    'id': 'src.id',
    'name': 'src.name',
    'notes': 'src.notes',
    'shared_comments': 'src.shared_comments',
    'shared_tickets': 'src.shared_tickets',
    'updated_at': zendesk_airbyte.utc_timestamp('src.updated_at'),
    'url': 'src.url',
}, text_columns=['details', 'external_id', 'notes'],
   passthrough='zendesk__organization_passthrough_columns') }}
