-- sla_policies.policy_metrics -> the package's `sla_policy_metric_history`: each policy's targets per metric and
-- priority as of its last update (Fivetran keeps older versions too; Zendesk's API has only the current one). Off
-- with the package's join to it (dbt_project.yml, using_sla_policy_metric_history).
{{ config(enabled=var('using_sla_policy_metric_history', True)) }}
{{ zendesk_airbyte.stage_from_airbyte('sla_policies', zendesk.get_sla_policy_metric_history_columns(), {
    '_fivetran_synced': zendesk_airbyte.airbyte_synced_at(),
    'business_hours': zendesk_airbyte.json_element_field('policy_metric', 'business_hours'),
    'index': zendesk_airbyte.json_element_index('policy_metric'),
    'metric': zendesk_airbyte.json_element_field('policy_metric', 'metric'),
    'priority': zendesk_airbyte.json_element_field('policy_metric', 'priority'),
    'sla_policy_id': 'src.id',
    'sla_policy_updated_at': zendesk_airbyte.utc_timestamp('src.updated_at'),
    'target': zendesk_airbyte.json_element_field('policy_metric', 'target'),
}, joins=zendesk_airbyte.json_array_rows('src.policy_metrics', 'policy_metric')) }}
