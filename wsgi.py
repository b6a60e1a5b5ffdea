"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from apex import compile_templates, create_app

app = create_app()
# At boot, not on each worker's first page of each kind (a cold compile per template).
compile_templates(app)
