"""A parent's rights under UK GDPR: subject access, erasure, retention, consent withdrawn."""
