"""gunicorn's master compiles every template before forking (app/wsgi.py, app.warm)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.warm import compile_templates

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_template_is_compiled_once_and_then_served_from_the_cache(app: Flask) -> None:
    files = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.is_file()}
    assert compile_templates(app) == len(files) > 50
    loader = app.jinja_env.loader
    assert loader is not None
    read: list[str] = []
    original = loader.get_source

    def counting(environment: Any, name: str) -> Any:
        read.append(name)
        return original(environment, name)

    loader.get_source = counting  # type: ignore[method-assign,assignment]
    try:
        for name in sorted(files):
            app.jinja_env.get_template(name)
    finally:
        del loader.get_source
    assert read == []  # none read or compiled again
