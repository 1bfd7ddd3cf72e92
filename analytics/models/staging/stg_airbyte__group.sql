-- groups -> the package's `group`. Zendesk lists deleted groups too (`deleted`): Fivetran marks them deleted.
{{ zendesk_airbyte.stage_from_airbyte('groups', zendesk.get_group_columns(), {
    '_fivetran_deleted': 'src.deleted',
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'created_at': zendesk_airbyte.utc_timestamp('src.created_at'),
    'id': 'src.id',
    'name': 'src.name',
    'updated_at': zendesk_airbyte.utc_timestamp('src.updated_at'),
    'url': 'src.url',
}) }}
