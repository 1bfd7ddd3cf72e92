"""A fake Zendesk Support account, faithful to Zendesk's public API docs, for demos, tests and benchmarks.

See CONTRACT.md for how the transport (server.py) and the account (account.py) fit together.
"""
