"""Jinja2 templates of the check report."""
