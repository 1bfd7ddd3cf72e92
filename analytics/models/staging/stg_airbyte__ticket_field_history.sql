-- ticket_field_history -> the package's `ticket_field_history`, with the SLA rows Fivetran adds to it from Zendesk's
-- SLA events. Each SLA policy application (macro sla_applications) becomes a change of its metric's field (reply_time's
-- first instance first_reply_time, later ones next_reply_time) valued {"minutes", "in_business_hours"}, and one
-- `sla_policy` change to the policy's title per ticket and time: what int_zendesk__sla_policy_applied reads.
{%- set columns = zendesk.get_ticket_field_history_columns() %}
{%- set sla = zendesk_airbyte.sla_applications() %}

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
{{ zendesk_airbyte.stage_from_airbyte(sla.stream, columns, {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'field_name': "case when " ~ sla.fields.metric ~ " = 'reply_time' and " ~ sla.fields.instance_id ~ " = 1 then "
        ~ "'first_reply_time' when " ~ sla.fields.metric ~ " = 'reply_time' then 'next_reply_time' else "
        ~ sla.fields.metric ~ " end",
    'ticket_id': sla.fields.ticket_id,
    'updated': sla.fields.time,
    'value': dbt.concat(["'{\"minutes\":'", "cast(" ~ sla.fields.target_minutes ~ " as " ~ dbt.type_string() ~ ")",
                         "',\"in_business_hours\":'", sla.fields.business_hours, "'}'"]),
}, where=sla.where, instead='ticket_sla_policies') }}
), sla_policies as (
{{ zendesk_airbyte.stage_from_airbyte(sla.stream, columns, {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'field_name': "'sla_policy'",
    'ticket_id': sla.fields.ticket_id,
    'updated': sla.fields.time,
    'value': sla.fields.policy_title,
}, where=sla.where, instead='ticket_sla_policies') }}
)

select * from field_changes
union all
select * from sla_targets
union all
select distinct * from sla_policies
