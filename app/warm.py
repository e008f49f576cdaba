"""Work done once in gunicorn's master before it forks the workers (``preload_app``).

A worker starts as a copy of the master: what the master has compiled, every worker has
without compiling it again, and shares it in memory until it writes to it. Jinja compiles
a template on its first use in a process; without this each worker (and each replacement
after ``max_requests``) paid that on its first few requests of each page.
"""

from __future__ import annotations

from flask import Flask


def compile_templates(app: Flask) -> int:
    """Compile every template the app can render into the Jinja cache; how many."""
    environment = app.jinja_env
    loader = environment.loader
    names = loader.list_templates() if loader is not None else []
    for name in names:
        environment.get_template(name)
    return len(names)
