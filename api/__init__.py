"""Web API and pages (FastAPI + Jinja2)."""
