"""Navigation by role: each role sees only the places it can use."""

from __future__ import annotations

from flask_login import current_user

NAV: dict[str, list[tuple[str, str]]] = {
    "coordinator": [
        ("main.home", "Home"),
        ("cases.waiting_list", "Waiting list"),
        ("cases.case_list", "Cases"),
        ("escalation.inbox", "Flags"),
        ("matching.volunteer_list", "Volunteers"),
        ("matching.plan", "Plan"),
        ("reports.report", "Reports"),
    ],
    "volunteer": [
        ("main.home", "Home"),
        ("cases.my_parents", "My parents"),
        ("cases.my_drafts", "My drafts"),
        ("matching.my_profile", "My availability"),
    ],
    "admin": [
        ("main.home", "Home"),
        ("admin.users", "Users"),
        ("admin.audit_log", "Audit log"),
        ("escalation.outbox", "Emails"),
        ("admin.settings", "Settings"),
        ("spreadsheets.import_upload", "Import"),
        ("reports.report", "Reports"),
    ],
}


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return NAV.get(current_user.role, [])
