-- ticket_field_history -> the package's `ticket_field_history`, with the SLA rows Fivetran adds to it from Zendesk's
-- SLA events: each apply_sla event of ticket_metric_events becomes a change of its metric's field
-- (reply_time's first instance first_reply_time, later ones next_reply_time) valued {"minutes", "in_business_hours"},
-- and one `sla_policy` change to the policy's title per ticket and time (what int_zendesk__sla_policy_applied reads).
{%- set columns = zendesk.get_ticket_field_history_columns() %}
{%- set sla = "src.type = 'apply_sla'" %}
{%- set minutes = "coalesce(" ~ zendesk_airbyte.json_text('src.sla', ['target']) ~ ", cast(cast("
    ~ zendesk_airbyte.json_text('src.sla', ['target_in_seconds']) ~ " as " ~ dbt.type_int() ~ ") / 60 as "
    ~ dbt.type_string() ~ "))" %}

with field_changes as (
{{ zendesk_airbyte.stage_from_airbyte('ticket_field_history', columns, {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'field_name': 'src.field_name',
    'ticket_id': 'src.ticket_id',
    'updated': zendesk_airbyte.utc_timestamp('src.updated'),
    'user_id': 'src.user_id',
    'value': zendesk_airbyte.airbyte_text('ticket_field_history', 'value'),
}) }}
), sla_targets as (
{{ zendesk_airbyte.stage_from_airbyte('ticket_metric_events', columns, {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'field_name': "case when src.metric = 'reply_time' and src.instance_id = 1 then 'first_reply_time'"
        ~ " when src.metric = 'reply_time' then 'next_reply_time' else src.metric end",
    'ticket_id': 'src.ticket_id',
    'updated': zendesk_airbyte.utc_timestamp('src.time'),
    'value': dbt.concat(["'{\"minutes\":'", minutes, "',\"in_business_hours\":'",
        "coalesce(" ~ zendesk_airbyte.json_text('src.sla', ['business_hours']) ~ ", 'false')", "'}'"]),
}, where=sla) }}
), sla_policies as (
{{ zendesk_airbyte.stage_from_airbyte('ticket_metric_events', columns, {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'field_name': "'sla_policy'",
    'ticket_id': 'src.ticket_id',
    'updated': zendesk_airbyte.utc_timestamp('src.time'),
    'value': zendesk_airbyte.json_text('src.sla', ['policy', 'title']),
}, where=sla) }}
)

select * from field_changes
union all
select * from sla_targets
union all
select distinct * from sla_policies
