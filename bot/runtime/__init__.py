"""Running the app: settings, logs, metrics, migrations, worker processes, the CLI,
background tasks and the injected time source."""
