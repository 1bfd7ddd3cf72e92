-- The seed zendesk_time_zone (IANA rules under Zendesk's zone names: analytics/pipeline/timezones.py) -> `time_zone`.
select
{%- for column in zendesk.get_time_zone_columns() %}
    cast({{ 'null' if column.name == '_fivetran_synced' else column.name }} as {{ zendesk_airbyte.portable_type(column.datatype) }}) as {{ column.name }}
    {%- if not loop.last %},{% endif %}
{%- endfor %}
from {{ ref('zendesk_time_zone') }}
