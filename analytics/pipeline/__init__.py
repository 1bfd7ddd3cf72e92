"""bin/analytics: sync Zendesk with our connector into DuckDB, build the dbt project with dbt_zendesk, report."""
