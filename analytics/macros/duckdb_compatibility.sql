{#- What dbt_zendesk 1.6.1 needs on DuckDB and fivetran_utils 0.4.10 lacks, found from the root project by dispatch
    (dbt_project.yml lists this project first for fivetran_utils and dbt). Nothing of the packages is edited. -#}

{#- fivetran_utils.timestamp_add falls back to timestampadd(), which DuckDB does not have: dbt's dateadd does it. -#}
{% macro duckdb__timestamp_add(datepart, interval, from_timestamp) -%}
    {{ dbt.dateadd(datepart, interval, from_timestamp) }}
{%- endmacro %}

{#- Three incremental models of dbt_zendesk pass BigQuery's partition_by ({'field': 'date_day', 'data_type': 'date',
    ...}), which dbt-duckdb rejects ("must be a list of strings or a string"). dbt-duckdb partitions DuckLake tables
    only and calls this macro by name, so the root project's one is used: it drops a BigQuery-style dict and leaves
    every other partition_by to dbt-duckdb's own macro. -#}
{% macro duckdb__get_partitioned_by(relation, temporary) -%}
    {%- if config.get('partitioned_by', none) is none and config.get('partition_by', none) is mapping -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(dbt.duckdb__get_partitioned_by(relation, temporary)) }}
{%- endmacro %}
