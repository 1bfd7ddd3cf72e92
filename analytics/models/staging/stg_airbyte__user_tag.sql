-- users.tags -> the package's `user_tag`: one row per tag of a user.
{{ zendesk_airbyte.stage_from_airbyte('users', zendesk.get_user_tag_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'user_id': 'src.id',
    'tag': zendesk_airbyte.json_element_text('tag'),
}, joins=zendesk_airbyte.json_array_rows('src.tags', 'tag')) }}
