"""Applicants and the public: tracking, survey, complaints and statistics (no login,
no personal data)."""
