"""Block Kit builders. Every view and message is built from slack-sdk models, so
Slack's limits are checked when it is serialised."""
