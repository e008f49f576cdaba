"""gunicorn settings for Corner: ``make run`` (app/launch.py) and production use this file.

    gunicorn -c gunicorn.conf.py

Environment: ``WEB_CONCURRENCY`` (worker processes, default 2), ``BIND`` (default
``127.0.0.1:$PORT``, ``PORT`` default 5000), ``GUNICORN_TIMEOUT`` (seconds a request may
take before its worker is restarted, default 30). See docs/operations.md.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from app.weblog import ACCESS_LOG_FORMAT

# app/wsgi.py: the app, refusing (exit 1, one message) a half production configuration
wsgi_app = "app.wsgi:application"
bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT') or '5000'}"
workers = int(os.environ.get("WEB_CONCURRENCY") or "2")
worker_class = "sync"
# a request running longer than this is killed with its worker (uploads are 20 MB at most)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or "30")
# on stop or restart, requests in flight get this long to finish; a sync worker that is
# idle exits at once, so a normal stop never reaches the SIGKILL
graceful_timeout = 20
keepalive = 5
# load the app once in the master, before forking the workers (less memory, fail early)
preload_app = True
# a worker is replaced after this many requests (a slow leak never grows without bound)
max_requests = 2000
max_requests_jitter = 200

# no control socket (gunicornc): it would live in the user's home, shared by every gunicorn
# of that user (two `make run`s, the tests); systemctl and signals are enough
control_socket_disable = True

# one line per request on stdout, without query strings or personal data (app/weblog.py)
accesslog = "-"
errorlog = "-"
loglevel = "info"
logger_class = "app.weblog.AccessLogger"
access_log_format = ACCESS_LOG_FORMAT
# behind a reverse proxy Corner reads X-Forwarded-For/-Proto itself (TRUSTED_PROXY_COUNT,
# ProxyFix), so that one setting decides
forwarded_allow_ips = ""  # gunicorn itself trusts no X-Forwarded-* header


# Ctrl-C in a terminal sends SIGINT to every process of the group at once, workers included,
# and gunicorn would take it as "quit now", cutting a request short (a traceback, and after
# graceful_timeout a SIGKILL). Here a Ctrl-C is a graceful stop, like SIGTERM from systemd:
# the master asks the workers to finish what they are doing, and the workers leave SIGINT
# to the master.


def on_starting(server: Any) -> None:
    server.handle_int = server.handle_term


def post_worker_init(worker: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
