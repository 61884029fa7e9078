"""The `msoko` command: one sub-command per operation, each in its own module."""
