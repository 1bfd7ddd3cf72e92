{#- Staging over the tables Airbyte lands, in the shape of dbt_zendesk's sources (README "Analytics"). -#}

{#- The Airbyte table of a stream, or none when it is not there (the stream was not synced). -#}
{% macro airbyte_table(stream) -%}
    {%- set declared = source('airbyte', stream) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=declared.database, schema=declared.schema, identifier=declared.identifier)) }}
{%- endmacro %}


{#- A package column's type as every warehouse spells it ("datetime" and "boolean" are literal in the package), its
    integers 64 bits wide: dbt's type_int is 32 bits on DuckDB and Postgres, and Zendesk's ids need more. -#}
{% macro portable_type(datatype) -%}
    {%- if datatype | lower == 'datetime' -%}{{ dbt.type_timestamp() }}
    {%- elif datatype == dbt.type_int() -%}{{ dbt.type_bigint() }}
    {%- elif datatype | lower == 'boolean' -%}{{ dbt.type_boolean() }}
    {%- else -%}{{ datatype }}{%- endif -%}
{%- endmacro %}


{#- One select of a package source table from a stream's table `src`:
      columns      the package's own list (zendesk.get_<table>_columns()): names and types, in its order;
      expressions  column name -> SQL over `src` (and `joins`); a column without one is a typed null;
      text_columns columns the package types as numbers whose Zendesk values are text (recipient, external ids...);
      joins, where what follows `from <stream> as src`, e.g. one row per array element (json_array_rows);
      instead      the stream to name in the warning when this one is a fallback for it;
      passthrough  the package's var of passthrough columns this table carries (the custom field columns,
                   bin/analytics sets it from the synced table: analytics/pipeline/passthrough.py), each read from
                   the stream's column of the same name.
    A stream whose table is missing gives no rows of the same columns and types, with a warning naming the stream. -#}
{% macro stage_from_airbyte(stream, columns, expressions, text_columns=[], joins='', where=none, instead=none,
                            passthrough=none) -%}
    {%- set relation = zendesk_airbyte.airbyte_table(stream) -%}
    {%- for column in (var(passthrough) if passthrough else []) -%}
        {%- set name = column.name if column is mapping else column -%}
        {%- do expressions.update({name | lower: 'src.' ~ adapter.quote(name)}) -%}
    {%- endfor -%}
    {%- if execute and relation is none -%}
        {%- do exceptions.warn(
            "zendesk_airbyte: the table of the Airbyte stream '" ~ (instead or stream) ~ "' ("
            ~ source('airbyte', instead or stream) ~ ") does not exist: " ~ this.identifier ~ " is empty. Sync the "
            ~ "stream '" ~ (instead or stream) ~ "' to fill it.") -%}
    {%- endif %}
    select
    {%- for column in columns %}
        {%- set expression = expressions.get(column.name | lower) if relation is not none else none %}
        {%- set type = dbt.type_string() if column.name | lower in text_columns else zendesk_airbyte.portable_type(column.datatype) %}
        cast({{ expression if expression is not none else 'null' }} as {{ type }}) as {{ fivetran_utils.quote_column(column) }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
    {%- if relation is not none %}
    from {{ relation }} as src
    {{ joins }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    {%- else %}
    limit 0
    {%- endif %}
{%- endmacro %}


{#- The sync time of an Airbyte row, as Fivetran's _fivetran_synced. -#}
{% macro airbyte_synced_at() -%}
    {{ zendesk_airbyte.utc_timestamp('src._airbyte_extracted_at') }}
{%- endmacro %}


{#- Our staging model for a package source table: the package reads it in place of source('zendesk', <table>). -#}
{% macro default__union_zendesk_connections(connection_dictionary, single_source_name, single_table_name) -%}
    {%- if connection_dictionary -%}
        {{ return(zendesk.default__union_zendesk_connections(connection_dictionary, single_source_name, single_table_name)) }}
    {%- endif %}
    select * from {{ ref('zendesk_airbyte', 'stg_airbyte__' ~ single_table_name) }}
{%- endmacro %}


{#- Where SLA policy applications come from: this connector's ticket_sla_policies (one row per apply_sla event), or,
    without that table, the apply_sla events of ticket_metric_events (a stream Airbyte's official connector has too).
    The same fields from either: {'stream', 'where', 'fields': {ticket_id, metric, instance_id, time, policy_id,
    policy_title, target_minutes, business_hours (text 'true' or 'false')}}. -#}
{% macro sla_applications() -%}
    {%- set business_hours = "case when cast({} as " ~ dbt.type_boolean() ~ ") then 'true' else 'false' end" -%}
    {%- if zendesk_airbyte.airbyte_table('ticket_sla_policies') is not none -%}
        {{ return({'stream': 'ticket_sla_policies', 'where': none, 'fields': {
            'ticket_id': 'src.ticket_id', 'metric': 'src.metric', 'instance_id': 'src.instance_id',
            'time': zendesk_airbyte.utc_timestamp('src.time'), 'policy_id': 'src.sla_policy_id',
            'policy_title': 'src.sla_policy_title',
            'target_minutes': 'coalesce(src.target, src.target_in_seconds / 60)',
            'business_hours': business_hours.format('src.business_hours')}}) }}
    {%- endif -%}
    {%- set sla = 'src.sla' -%}
    {{ return({'stream': 'ticket_metric_events', 'where': "src.type = 'apply_sla'", 'fields': {
        'ticket_id': 'src.ticket_id', 'metric': 'src.metric', 'instance_id': 'src.instance_id',
        'time': zendesk_airbyte.utc_timestamp('src.time'),
        'policy_id': zendesk_airbyte.json_text(sla, ['policy', 'id']),
        'policy_title': zendesk_airbyte.json_text(sla, ['policy', 'title']),
        'target_minutes': 'coalesce(cast(' ~ zendesk_airbyte.json_text(sla, ['target']) ~ ' as ' ~ dbt.type_bigint()
            ~ '), cast(' ~ zendesk_airbyte.json_text(sla, ['target_in_seconds']) ~ ' as ' ~ dbt.type_bigint() ~ ') / 60)',
        'business_hours': business_hours.format(zendesk_airbyte.json_text(sla, ['business_hours']))}}) }}
{%- endmacro %}
