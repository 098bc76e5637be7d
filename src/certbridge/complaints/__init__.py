"""Complaints and reports from the public: today, reports of suspected fake certificates, reviewed by regulators."""
