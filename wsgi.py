"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

import sys

from meetingapp import ConfigurationError, create_app

try:
    app = create_app()
except ConfigurationError as error:
    sys.exit(f"meetingapp: {error}")
