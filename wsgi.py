"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi ...`."""

import gc

from portfolio import create_app

app = create_app()

# Everything built so far (modules, mappers, the app) lives as long as the process: move it out
# of the collector's sight, so the collections a request's allocations trigger scan only what
# the request made (the Python docs' advice for long-lived server processes).
gc.collect()
gc.freeze()
