"""The error every matching service raises for a request it cannot do."""

from __future__ import annotations

from app.domain import ServiceError


class MatchError(ServiceError):
    """A request that cannot be done, with a message for the coordinator."""
