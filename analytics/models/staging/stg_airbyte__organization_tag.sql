-- organizations.tags -> the package's `organization_tag`: one row per tag of an organization.
{{ zendesk_airbyte.stage_from_airbyte('organizations', zendesk.get_organization_tag_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'organization_id': 'src.id',
    'tag': zendesk_airbyte.json_element_text('tag'),
}, joins=zendesk_airbyte.json_array_rows('src.tags', 'tag')) }}
