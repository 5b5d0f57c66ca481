"""WSGI entry point: `gunicorn run:app`, and the app `flask` finds by default."""

from app import create_app

app = create_app()
