"""What people read: the status card, pipelines, the Home tab and the weekly report,
assembled from the store. No writes, no Slack."""
