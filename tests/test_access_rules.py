"""GOV.UK Notify-style meta-test: every route must declare who may use it."""

from __future__ import annotations

from flask import Flask

from app.auth.access import PUBLIC, access_rule

# The only routes anyone may reach without logging in.
PUBLIC_ENDPOINTS = {"auth.login", "auth.accept", "static"}
PUBLIC_ALLOWED_LATER = {"cases.self_referral", "cases.self_referral_done"}
KNOWN_ROLES = {"admin", "coordinator", "volunteer"}


def test_every_route_has_an_access_rule(app: Flask) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        access = access_rule(view)
        if access is None:
            missing.append(f"{rule.rule} -> {rule.endpoint}")
        elif access != PUBLIC:
            assert isinstance(access, frozenset) and access <= KNOWN_ROLES, rule.endpoint
    assert not missing, "routes without @public or @roles(...):\n" + "\n".join(missing)


def test_public_routes_are_only_the_allow_list(app: Flask) -> None:
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint == "static" or access_rule(app.view_functions[rule.endpoint]) == PUBLIC
    }
    assert public - PUBLIC_ALLOWED_LATER == PUBLIC_ENDPOINTS


def test_no_route_changes_state_on_get(app: Flask) -> None:
    """State-changing views are POST-only; a GET+POST view must only render on GET."""
    for rule in app.url_map.iter_rules():
        methods = rule.methods or set()
        assert not ({"PUT", "PATCH", "DELETE"} & methods), rule.rule


def test_volunteer_routes_with_ids_are_covered_by_the_cross_volunteer_test(app: Flask) -> None:
    """A route taking an id that a volunteer may call must be in tests/cross_volunteer.py.

    That registry drives tests/cases/test_cross_volunteer.py, which tries each such route with
    another volunteer's ids and expects 404 with nothing changed. Public routes take tokens,
    not ids of people's records, and are covered by their own tests.
    """
    from tests.cross_volunteer import CROSS_VOLUNTEER_ROUTES

    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        access = access_rule(app.view_functions[rule.endpoint])
        if isinstance(access, frozenset) and "volunteer" in access:
            if rule.endpoint not in CROSS_VOLUNTEER_ROUTES:
                missing.append(f"{rule.rule} -> {rule.endpoint}")
            else:
                assert CROSS_VOLUNTEER_ROUTES[rule.endpoint].param in rule.arguments, rule.rule
    assert not missing, "volunteer routes with ids but no cross-volunteer test:\n" + "\n".join(
        missing
    )
    known = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(CROSS_VOLUNTEER_ROUTES) <= known, "registry lists routes that no longer exist"
