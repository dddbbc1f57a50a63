"""The playground: the whole product in a browser, without a Slack workspace.

The real Loopkeeper app runs unchanged and receives requests signed exactly as
Slack signs them on its /slack/events endpoint; its Web API client talks to
`standin.SlackStandin`, which keeps the workspace's conversations, modals and
Home tabs; a page (`static/`) shows them as Slack would and lets a person act as
anyone on the hiring team. See README, "Try it without Slack".
"""
