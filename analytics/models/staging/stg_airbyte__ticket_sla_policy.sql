-- SLA policy applications (ticket_sla_policies, or ticket_metric_events' apply_sla events: macro sla_applications)
-- -> the package's `ticket_sla_policy`: which policy applied to a ticket, and when.
{%- set sla = zendesk_airbyte.sla_applications() %}
select distinct * from (
{{ zendesk_airbyte.stage_from_airbyte(sla.stream, zendesk.get_ticket_sla_policy_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'policy_applied_at': sla.fields.time,
    'sla_policy_id': sla.fields.policy_id,
    'ticket_id': sla.fields.ticket_id,
}, where=sla.where, instead='ticket_sla_policies') }}
) as applications
