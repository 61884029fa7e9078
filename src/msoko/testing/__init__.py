"""Test support shipped with the package (like django.test).

`msoko.testing.pytest_env` is loaded by pytest with `-p` (see pyproject.toml), before pytest-django
imports the settings, so every test session works in a workspace of its own and never in ./msoko-data
or the user's $MSOKO_HOME.
"""
