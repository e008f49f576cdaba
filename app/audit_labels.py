"""The audit log's words: what each recorded action and kind of object is called on screen.

Pure (imports nothing); ``create_app`` registers ``AUDIT_LABEL_FILTERS`` beside
``app.domain.LABEL_FILTERS``. A new ``audit(...)`` action gets its words here.
"""

from __future__ import annotations

#: What the audit log says an action was.
AUDIT_ACTION_LABELS: dict[str, str] = {
    "assignment.started": "Assigned a volunteer",
    "assignment.ended": "Ended a volunteer's support",
    "match.declined": "Ruled a volunteer out for a parent",
    "case.created": "Added a referral",
    "referral.self": "Parent referred themselves",
    "case.accepted": "Accepted a self-referral",
    "case.closed": "Closed a case",
    "case.reopened": "Reopened a case",
    "case.high_risk_set": "Marked a case high risk",
    "case.high_risk_cleared": "Cleared a case's high risk mark",
    "parent.created": "Added a parent",
    "parent.viewed": "Looked at a parent's details",
    "parent.updated": "Changed a parent's details",
    "checkin.created": "Recorded a check-in",
    "checkin.submitted": "Submitted a check-in",
    "checkin.viewed": "Read a check-in",
    "checkin.updated": "Changed a check-in",
    "checkin.corrected": "Corrected a check-in",
    "checkin.deleted": "Deleted a check-in",
    "checkin.restored": "Restored a check-in",
    "flag.acknowledged": "Acknowledged a flag",
    "flag.resolved": "Resolved a flag",
    "email.retried": "Tried an email again",
    "user.invited": "Invited someone",
    "user.reinvited": "Emailed a new invitation link",
    "user.deactivated": "Deactivated an account",
    "user.reactivated": "Reactivated an account",
    "user.safeguarding_lead_set": "Made someone a safeguarding lead",
    "user.safeguarding_lead_cleared": "Stopped someone being a safeguarding lead",
    "area.created": "Added an area",
    "area.updated": "Changed an area",
    "volunteer.profile_updated": "Changed a volunteer's profile",
    "volunteer.availability_updated": "Changed their availability",
    "volunteer.active": "Became available again",
    "volunteer.paused": "Paused their volunteering",
    "volunteer.left": "Left volunteering",
    "login.success": "Logged in",
    "login.failed": "Failed to log in (wrong password)",
    "login.code_failed": "Failed to log in (wrong two-factor code)",
    "login.recovery_code_used": "Logged in with a recovery code",
    "two_factor.enabled": "Turned on two-factor sign-in",
    "two_factor.disabled": "Turned off two-factor sign-in",
    "two_factor.reset": "Reset someone's two-factor sign-in (lost phone)",
    "logout": "Logged out",
    "invitation.accepted": "Accepted an invitation",
    "password.changed": "Changed their password",
    "password.reset_requested": "Asked for a password reset link",
    "password.reset": "Set a new password with a reset link",
    "settings.changed": "Changed settings",
    "postcodes.imported": "Imported postcode locations",
    "spreadsheets.imported": "Imported spreadsheets",
    "spreadsheets.import_queued": "Uploaded spreadsheets to import",
    "spreadsheets.exported": "Exported spreadsheets",
    "demo.seeded": "Filled Corner with demo data",
    "privacy.subject_access": "Downloaded everything held about a parent (subject access)",
    "privacy.notice_updated": "Changed the privacy notice",
    "privacy.erased": "Erased a parent's details",
    "privacy.consent_withdrawn": "Recorded that a parent withdrew consent",
    "privacy.retention_run": "Anonymised parents past the retention period",
    "demo.removed": "Removed the demo data",
}

#: What the audit log calls a kind of object.
AUDIT_OBJECT_LABELS: dict[str, str] = {
    "case": "Case",
    "parent": "Parent",
    "checkin": "Check-in",
    "flag": "Flag",
    "email": "Email",
    "user": "Account",
    "area": "Area",
    "settings": "Settings",
    "export": "Spreadsheet export",
    "import": "Spreadsheet import",
    "job": "Spreadsheet job",
    "demo": "Demo data",
}

AUDIT_LABEL_FILTERS: dict[str, dict[str, str]] = {
    "audit_action_label": AUDIT_ACTION_LABELS,
    "audit_object_label": AUDIT_OBJECT_LABELS,
}
