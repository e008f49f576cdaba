"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py`` serves ``app.wsgi:application``.

In production it refuses to start (one message, exit status 1) while a setting is missing
or unsafe or the demo accounts exist (``app.production``). The templates are compiled here,
in the master, so the forked workers start with them (``app.warm``).
"""

from app.production import serving_app
from app.warm import compile_templates

application = serving_app()
compile_templates(application)
