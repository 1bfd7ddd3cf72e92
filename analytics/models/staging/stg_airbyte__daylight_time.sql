-- The seed zendesk_daylight_time (analytics/pipeline/timezones.py) -> the package's `daylight_time`.
select
{%- for column in zendesk.get_daylight_time_columns() %}
    cast({{ 'null' if column.name == '_fivetran_synced' else column.name }} as {{ zendesk_airbyte.portable_type(column.datatype) }}) as {{ column.name }}
    {%- if not loop.last %},{% endif %}
{%- endfor %}
from {{ ref('zendesk_daylight_time') }}
