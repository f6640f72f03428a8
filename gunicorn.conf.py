"""gunicorn settings for `make serve` and `make bench`; each can be changed from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Pages are CPU-bound Python: the usual two workers per core, plus one for the moments a
# worker waits on PostgreSQL or Redis.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
wsgi_app = "studygroup.wsgi:application"
# Loaded once and shared by the forked workers; no connection is opened at import time.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
