"""The HTTP API `/api/v1/` (Django Ninja): one module per resource, each exporting `router` and `PREFIX`;
`api.py` discovers them. Every query goes through the scope gate of the pages (`msoko.web.access`)."""
