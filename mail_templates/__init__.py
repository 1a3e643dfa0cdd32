"""The Jinja2 mail and print templates, installed as package data ``xinqu.templates``."""
