"""The shared form base (app/forms.py) and the bounded int converter (app/web.py)."""

from __future__ import annotations

import importlib
import pkgutil
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField, StringField, TextAreaField

import app as app_package
from app.domain import DB_INT_MAX
from app.forms import CONTROL_MESSAGE, NUMBER_MESSAGE, CornerForm
from app.web import BoundedIntConverter


class _Form(CornerForm):
    class Meta:
        csrf = False

    name = StringField("Name", default="")
    notes = TextAreaField("Notes")
    count = IntegerField("Count", default=0)
    languages = StringField("Languages", default="en")


@pytest.mark.parametrize("bad", ["\x00", "a\x01b", "\x1b[31m", "x\x7f", "\x85"])
def test_control_characters_are_an_error_on_their_field(app: Flask, bad: str) -> None:
    with app.test_request_context():
        form = _Form(MultiDict({"name": f"Sam{bad}", "notes": "ok", "count": "1"}))
        assert not form.validate()
        assert form.name.errors == [CONTROL_MESSAGE]
        assert not form.notes.errors


def test_tab_and_newlines_are_fine(app: Flask) -> None:
    with app.test_request_context():
        form = _Form(MultiDict({"name": "Sam", "notes": "one\ttwo\r\nthree\n", "count": "1"}))
        assert form.validate(), form.errors


@pytest.mark.parametrize(("value", "ok"), [(DB_INT_MAX, True), (DB_INT_MAX + 1, False)])
def test_numbers_must_fit_the_database(app: Flask, value: int, ok: bool) -> None:
    with app.test_request_context():
        form = _Form(MultiDict({"name": "Sam", "count": str(value)}))
        assert form.validate() is ok
        assert form.count.errors == ([] if ok else [NUMBER_MESSAGE])


def test_a_field_left_out_takes_its_default_not_the_stored_value(app: Flask) -> None:
    stored = SimpleNamespace(name="Sam", notes="", count=3, languages=["en", "pl"])
    with app.test_request_context():
        form = _Form(MultiDict({"name": "Alex"}), obj=stored)
        assert form.languages.data == "en"
        assert form.count.data == 0
        assert _Form(obj=stored).languages.data == ["en", "pl"]  # not posted: the object's


def test_a_query_string_with_control_characters_is_a_400(client: FlaskClient) -> None:
    response = client.get("/login?next=%00")
    assert response.status_code == 400
    assert "cannot read" in response.get_data(as_text=True)
    assert client.get("/login?next=%09").status_code == 200


def test_every_int_in_every_route_is_bounded(app: Flask) -> None:
    ints = [
        (rule.rule, conv)
        for rule in app.url_map.iter_rules()
        for conv in rule._converters.values()
        if isinstance(conv, IntegerConverter)
    ]
    assert ints
    for rule, conv in ints:
        assert isinstance(conv, BoundedIntConverter) and conv.max == DB_INT_MAX, rule


def test_every_form_derives_from_the_shared_base() -> None:
    for info in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(info.name)
    forms = _subclasses(FlaskForm)
    assert len(forms) > 15
    loose = [f.__qualname__ for f in forms if f is not CornerForm and CornerForm not in f.__mro__]
    assert not loose, f"forms not derived from app.forms.CornerForm: {loose}"


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    subs: list[type] = cls.__subclasses__()
    for sub in subs:
        if sub.__module__.startswith("app."):
            found.append(sub)
        found.extend(_subclasses(sub))
    return found


@pytest.mark.parametrize("postcode", ["2147483648", "BS1 4DJ XYZ"])
def test_a_parent_postcode_must_fit_once_stored(app: Flask, postcode: str) -> None:
    from app.cases.forms import ParentEditForm, SelfReferralForm

    with app.test_request_context():
        for form_class in (ParentEditForm, SelfReferralForm):
            form = form_class(MultiDict({"postcode": postcode}), meta={"csrf": False})
            form.validate()
            assert form.postcode.errors, (form_class.__name__, postcode)
        form = SelfReferralForm(MultiDict({"postcode": "bs14dj"}), meta={"csrf": False})
        form.validate()
        assert not form.postcode.errors
