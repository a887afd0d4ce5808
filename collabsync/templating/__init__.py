"""The template engine: YAML with lines, the jinja2 sandbox, dates, recurrence and roles."""
