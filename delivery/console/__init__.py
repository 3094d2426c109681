"""The dispatcher console: queue, planning, the day, manifests, figures."""
