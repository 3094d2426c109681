"""Public trust pages (survey, complaints, service figures) and their staff side."""
