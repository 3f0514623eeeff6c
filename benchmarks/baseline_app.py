"""The application plus one tiny baseline route, for the benchmarks only.

``create_benchmark_app()`` wraps ``meetingapp.create_app``; when the config
BENCHMARK_ROUTES is true (MEETINGAPP_BENCHMARK_ROUTES=true) it adds
``/_bench/baseline/<id>``: one primary-key lookup rendering a tiny template.
Every page's figures are given as a ratio to this route's. The production
app (wsgi.py) never has it. gunicorn: ``--pythonpath benchmarks baseline_app:app``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import abort, render_template_string  # noqa: E402

from meetingapp import create_app  # noqa: E402

TEMPLATE = "<!doctype html><title>{{ o.name }}</title><p>{{ o.acronym }} {{ o.kind }}</p>"


def create_benchmark_app(overrides: dict | None = None):
    app = create_app(overrides)
    if app.config.get("BENCHMARK_ROUTES"):
        from meetingapp.extensions import csrf, db
        from meetingapp.models import Organisation

        @app.route("/_bench/baseline/<int:organisation_id>")
        @csrf.exempt
        def bench_baseline(organisation_id: int):
            organisation = db.session.get(Organisation, organisation_id)
            if organisation is None:
                abort(404)
            return render_template_string(TEMPLATE, o=organisation)
    return app


app = create_benchmark_app()
