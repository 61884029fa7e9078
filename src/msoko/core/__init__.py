"""Small shared pieces every layer may use: located issues, typed settings, the workspace layout.

Nothing here imports Django, DuckDB or any other layer of msoko.
"""
