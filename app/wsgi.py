"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py`` serves ``app.wsgi:application``.

In production it refuses to start (one message, exit status 1) while a setting is missing
or unsafe or the demo accounts exist (``app.production``).
"""

from app.production import serving_app

application = serving_app()
