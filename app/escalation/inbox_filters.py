"""The flag inbox's filters, read from the query string (pure: no Flask, no database).

``severity``, ``rule``, ``status``, ``area``, ``mine`` and ``page``. A value Corner does not
know is ignored, and the page says so in plain words (never a 500, never a 400 for a typo in
a bookmarked link).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from app.domain import DB_INT_MAX, FLAG_STATUS_LABELS, RULE_LABELS, SEVERITY_LABELS, FlagStatus

#: the default: flags someone still has to deal with (open or acknowledged)
UNRESOLVED = "unresolved"
ALL = "all"

#: status filter values, with what the page calls them
STATUS_CHOICES: dict[str, str] = {
    UNRESOLVED: "Not yet resolved",
    FlagStatus.OPEN.value: "Open (not acknowledged)",
    FlagStatus.ACKNOWLEDGED.value: FLAG_STATUS_LABELS[FlagStatus.ACKNOWLEDGED],
    FlagStatus.RESOLVED.value: FLAG_STATUS_LABELS[FlagStatus.RESOLVED],
    ALL: "Any status",
}

PAGE_MAX = 100_000  # a page number past any list, still a small OFFSET

_TRUE = {"1", "yes", "on", "true"}
_FALSE = {"", "0", "no", "off", "false"}


@dataclass(frozen=True)
class InboxFilters:
    severity: str | None = None
    rule: str | None = None
    status: str = UNRESOLVED
    area_id: int | None = None
    mine: bool = False
    page: int = 1

    def args(self, **changes: object) -> dict[str, str]:
        """The query arguments that give these filters (defaults left out), with ``changes``."""
        values: dict[str, object] = {
            "severity": self.severity,
            "rule": self.rule,
            "status": None if self.status == UNRESOLVED else self.status,
            "area": self.area_id,
            "mine": "1" if self.mine else None,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


@dataclass
class ParsedFilters:
    filters: InboxFilters
    #: plain sentences about what was ignored
    messages: list[str] = field(default_factory=list)


def _whole_number(text: str) -> int | None:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    return int(text)


def parse_inbox_args(args: Mapping[str, str], area_ids: Collection[int]) -> ParsedFilters:
    """The filters in ``args``; ``area_ids`` are the areas this user may filter by."""
    messages: list[str] = []
    severity = (args.get("severity") or "").strip().lower() or None
    if severity is not None and severity not in SEVERITY_LABELS:
        messages.append("That severity is not one Corner knows, so every severity is shown.")
        severity = None
    rule = (args.get("rule") or "").strip().upper() or None
    if rule is not None and rule not in RULE_LABELS:
        messages.append("That kind of flag is not one Corner knows, so every kind is shown.")
        rule = None
    status = (args.get("status") or "").strip().lower() or UNRESOLVED
    if status not in STATUS_CHOICES:
        messages.append("That status is not one Corner knows, so flags not yet resolved are shown.")
        status = UNRESOLVED
    area_text = (args.get("area") or "").strip()
    area_id = _whole_number(area_text) if area_text else None
    if area_text and (area_id is None or area_id not in area_ids):
        messages.append("That area is not one of yours, so every area you work in is shown.")
        area_id = None
    mine_text = (args.get("mine") or "").strip().lower()
    mine = mine_text in _TRUE
    if not mine and mine_text not in _FALSE:
        messages.append("'My cases' was not understood, so everyone's cases are shown.")
    page = max(1, min(_whole_number(args.get("page") or "") or 1, PAGE_MAX, DB_INT_MAX))
    return ParsedFilters(InboxFilters(severity, rule, status, area_id, mine, page), messages)
