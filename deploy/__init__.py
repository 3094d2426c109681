"""The production layout (nginx, gunicorn, systemd units, containers) and its check."""
