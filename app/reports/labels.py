"""The words for the report's keys and category codes: the page, the downloads and the
plain-text CLI listing all read them here. Pure: no Flask, no SQLAlchemy."""

from __future__ import annotations

from typing import Any

from app.domain import CHECKIN_MODE_LABELS, CLOSE_REASON_LABELS, RULE_LABELS, STAGE_LABELS
from app.equality import BY_NAME, FIELD_NAMES, NOT_RECORDED, NOT_RECORDED_LABEL, label

#: the report's sections in order, with their headings
SECTIONS: dict[str, str] = {
    "referrals": "Referrals",
    "matches": "Matches",
    "parents_supported": "Parents supported",
    "contacts": "Contacts",
    "closed": "Cases closed",
    "flags": "Concerns raised",
    "volunteers": "Volunteers",
    "wellbeing": "Wellbeing (cases closed with two or more scores)",
    "equality": "Who we reach",
}

#: the words for each figure (``section.key``)
FIGURES: dict[str, str] = {
    "referrals.total": "Referrals",
    "referrals.by_source": "By referral source",
    "referrals.by_stage": "By stage at referral",
    "matches.new": "New matches",
    "matches.days_to_match_median": "Median days from referral to first match",
    "parents_supported": "Parents supported",
    "contacts.successful": "Contacts that reached the parent",
    "contacts.attempts": "Attempts that did not",
    "contacts.by_mode": "By how",
    "contacts.hours": "Hours of contact",
    "closed.total": "Cases closed",
    "closed.by_reason": "By reason",
    "flags.raised": "Flags raised",
    "flags.resolved": "Flags resolved",
    "flags.by_rule": "Raised, by rule",
    "flags.urgent_ack_minutes_median": "Median minutes to acknowledge an urgent flag",
    "volunteers.active": "Active at the end of the period",
    "volunteers.new": "Started",
    "volunteers.left": "Left",
    "wellbeing.improved": "Improved",
    "wellbeing.same": "Stayed the same",
    "wellbeing.worse": "Got worse",
}

_STAGE_WORDS = {**STAGE_LABELS, "past": STAGE_LABELS["over"]}


def category(figure: str, code: str) -> str:
    """The words for one category of a breakdown (``"contacts.by_mode"``, ``"in_person"``)."""
    if figure == "referrals.by_stage":
        return _STAGE_WORDS.get(code, code)
    if figure == "contacts.by_mode":
        return CHECKIN_MODE_LABELS.get(code, code)
    if figure == "closed.by_reason":
        return NOT_RECORDED_LABEL if code == NOT_RECORDED else CLOSE_REASON_LABELS.get(code, code)
    if figure == "flags.by_rule":
        return RULE_LABELS.get(code, code)
    if figure.startswith("equality."):
        return label(figure.removeprefix("equality."), code)
    return code


def equality_question(name: str) -> str:
    return BY_NAME[name].question


def as_text(summary: dict[str, Any]) -> str:
    """A plain-text listing of a summary: headings, figures, breakdowns indented."""
    area = summary["area"] or "All areas"
    lines = [f"Report {summary['from']} to {summary['to']} — {area}"]
    for section, heading in SECTIONS.items():
        value = summary[section]
        lines += ["", heading]
        if section == "equality":
            for name in FIELD_NAMES:
                lines.append(f"  {equality_question(name)}")
                lines += _breakdown(f"equality.{name}", value[name], indent="    ")
            continue
        if not isinstance(value, dict):
            lines.append(f"  {FIGURES[section]}: {_number(value)}")
            continue
        for key, figure in value.items():
            name = f"{section}.{key}"
            if isinstance(figure, dict):
                lines.append(f"  {FIGURES[name]}:")
                lines += _breakdown(name, figure, indent="    ")
            else:
                lines.append(f"  {FIGURES[name]}: {_number(figure)}")
    return "\n".join(lines)


def _breakdown(figure: str, counts: dict[str, int], indent: str) -> list[str]:
    if not counts:
        return [f"{indent}(none)"]
    return [f"{indent}{category(figure, code)}: {n}" for code, n in counts.items()]


def _number(value: Any) -> str:
    return "none" if value is None else str(value)
