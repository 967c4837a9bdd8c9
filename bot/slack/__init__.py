"""The Slack surface: Bolt app factory, listeners per kind, Block Kit rendering, escaping and de-duplication.

Only this package imports slack_bolt / slack_sdk. Importing it does no work; `create_app` builds the app.
"""
