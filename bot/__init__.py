"""How the assistant reaches people: CLI, settings, store, terminal, Slack, HTTP server and scheduler."""
