-- organizations.domain_names -> the package's `domain_name`: one row per domain of an organization, in order.
{{ zendesk_airbyte.stage_from_airbyte('organizations', zendesk.get_domain_name_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'domain_name': zendesk_airbyte.json_element_text('domain'),
    'index': zendesk_airbyte.json_element_index('domain'),
    'organization_id': 'src.id',
}, joins=zendesk_airbyte.json_array_rows('src.domain_names', 'domain')) }}
