"""Fixtures the fault tests borrow: the small charity of the cases tests."""

from tests.cases.conftest import world

__all__ = ["world"]
