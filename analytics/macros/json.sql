{#- JSON as Airbyte lands it (DuckDB and Postgres: JSON or text; Snowflake: VARIANT; BigQuery: JSON), read
    without a cross-database macro in dbt for it. DuckDB and Postgres are tested (README "Analytics"). -#}

{#- The text of a scalar at a path of keys: json_text('src.via', ['source', 'from', 'id']). -#}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'zendesk_airbyte')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    cast({{ column }} as json) #>> '{ {{- path | join(",") -}} }'
{%- endmacro %}

{% macro duckdb__json_text(column, path) -%}
    json_extract_string({{ column }}, '$.{% for key in path %}"{{ key }}"{% if not loop.last %}.{% endif %}{% endfor %}')
{%- endmacro %}

{% macro snowflake__json_text(column, path) -%}
    {{ column }}{% for key in path %}:"{{ key }}"{% endfor %}::string
{%- endmacro %}

{% macro bigquery__json_text(column, path) -%}
    json_value({{ column }}, '$.{{ path | join(".") }}')
{%- endmacro %}


{#- One row per element of a JSON array column: `from src {{ json_array_rows('src.tags', 'element') }}`, then
    json_element_text('element'), json_element_field('element', 'start_time'), json_element_index('element')
    (0-based). -#}
{% macro json_array_rows(column, alias) -%}
    {{ return(adapter.dispatch('json_array_rows', 'zendesk_airbyte')(column, alias)) }}
{%- endmacro %}

{% macro default__json_array_rows(column, alias) -%}
    cross join lateral json_array_elements(cast({{ column }} as json)) with ordinality as {{ alias }}(value, ordinal)
{%- endmacro %}

{% macro duckdb__json_array_rows(column, alias) -%}
    cross join json_each({{ column }}) as {{ alias }}
{%- endmacro %}

{% macro snowflake__json_array_rows(column, alias) -%}
    cross join lateral flatten(input => {{ column }}) as {{ alias }}
{%- endmacro %}

{% macro bigquery__json_array_rows(column, alias) -%}
    cross join unnest(json_query_array({{ column }})) as {{ alias }}_value with offset as {{ alias }}_offset
{%- endmacro %}

{% macro json_element_text(alias) -%}
    {{ return(adapter.dispatch('json_element_text', 'zendesk_airbyte')(alias)) }}
{%- endmacro %}

{% macro default__json_element_text(alias) -%}
    {{ alias }}.value #>> '{}'
{%- endmacro %}

{% macro duckdb__json_element_text(alias) -%}
    json_extract_string({{ alias }}.value, '$')
{%- endmacro %}

{% macro snowflake__json_element_text(alias) -%}
    {{ alias }}.value::string
{%- endmacro %}

{% macro bigquery__json_element_text(alias) -%}
    json_value({{ alias }}_value)
{%- endmacro %}

{% macro json_element_field(alias, key) -%}
    {{ return(adapter.dispatch('json_element_field', 'zendesk_airbyte')(alias, key)) }}
{%- endmacro %}

{% macro default__json_element_field(alias, key) -%}
    {{ alias }}.value ->> '{{ key }}'
{%- endmacro %}

{% macro duckdb__json_element_field(alias, key) -%}
    json_extract_string({{ alias }}.value, '$."{{ key }}"')
{%- endmacro %}

{% macro snowflake__json_element_field(alias, key) -%}
    {{ alias }}.value:"{{ key }}"::string
{%- endmacro %}

{% macro bigquery__json_element_field(alias, key) -%}
    json_value({{ alias }}_value, '$.{{ key }}')
{%- endmacro %}

{% macro json_element_index(alias) -%}
    {{ return(adapter.dispatch('json_element_index', 'zendesk_airbyte')(alias)) }}
{%- endmacro %}

{% macro default__json_element_index(alias) -%}
    {{ alias }}.ordinal - 1
{%- endmacro %}

{% macro duckdb__json_element_index(alias) -%}
    cast({{ alias }}.key as {{ dbt.type_int() }})
{%- endmacro %}

{% macro snowflake__json_element_index(alias) -%}
    {{ alias }}.index
{%- endmacro %}

{% macro bigquery__json_element_index(alias) -%}
    {{ alias }}_offset
{%- endmacro %}


{#- A time as the package's timestamp (naive, UTC) from what Airbyte lands: a timestamp with or without time zone,
    or ISO 8601 text. DuckDB's sessions run in UTC (profiles.yml), so a plain cast keeps UTC there. -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'zendesk_airbyte')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    cast(cast({{ expression }} as timestamp with time zone) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__utc_timestamp(expression) -%}
    cast({{ expression }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro snowflake__utc_timestamp(expression) -%}
    convert_timezone('UTC', cast({{ expression }} as timestamp_tz))::timestamp_ntz
{%- endmacro %}

{% macro bigquery__utc_timestamp(expression) -%}
    timestamp({{ expression }})
{%- endmacro %}


{#- A column of a stream's table as text: JSON columns (how some destinations land properties of several types,
    such as ticket_field_history's value) give their scalar's text, other columns their value. -#}
{% macro airbyte_text(stream, column) -%}
    {%- set relation = zendesk_airbyte.airbyte_table(stream) -%}
    {%- set types = {} -%}
    {%- if relation is not none -%}
        {%- for found in adapter.get_columns_in_relation(relation) -%}
            {%- do types.update({found.name | lower: found.data_type | lower}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if types.get(column | lower) in ('json', 'jsonb', 'variant') -%}
        {{ return(adapter.dispatch('json_scalar_text', 'zendesk_airbyte')('src.' ~ column)) }}
    {%- endif -%}
    {{ return('src.' ~ column) }}
{%- endmacro %}

{% macro default__json_scalar_text(column) -%}
    cast({{ column }} as json) #>> '{}'
{%- endmacro %}

{% macro duckdb__json_scalar_text(column) -%}
    json_extract_string({{ column }}, '$')
{%- endmacro %}

{% macro snowflake__json_scalar_text(column) -%}
    {{ column }}::string
{%- endmacro %}

{% macro bigquery__json_scalar_text(column) -%}
    coalesce(json_value({{ column }}), to_json_string({{ column }}))
{%- endmacro %}
