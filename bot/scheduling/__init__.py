"""The sweep (bot.scheduling.sweeper): a lock so one process works at a time (lock),
planning each clock's next step into alerts (planning, Slack-free), delivering them
(delivery, through messenger), and the weekly reports (weekly_reports)."""
