-- ticket_comments -> the package's `ticket_comment`. Fivetran's channel flags come from the comment's type and via.
{{ zendesk_airbyte.stage_from_airbyte('ticket_comments', zendesk.get_ticket_comment_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'body': 'src.body',
    'created': zendesk_airbyte.utc_timestamp('src.created_at'),
    'facebook_comment': zendesk_airbyte.json_text('src.via', ['channel']) ~ " = 'facebook'",
    'id': 'src.id',
    'public': 'src.public',
    'ticket_id': 'src.ticket_id',
    'tweet': zendesk_airbyte.json_text('src.via', ['channel']) ~ " = 'twitter'",
    'user_id': 'src.author_id',
    'voice_comment': "src.type = 'VoiceComment'",
}) }}
