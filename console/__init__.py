"""The dispatchers' and auditors' pages: queue, planning, the day, manifests,
figures, complaints and the audit trail."""
