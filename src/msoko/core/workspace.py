"""The workspace: one folder holding the database, the warehouse, the archive and the secret key.

Chosen by `--home DIR`, else `$MSOKO_HOME`, else `./msoko-data`.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from msoko.core.env import env_str

DEFAULT_HOME = "msoko-data"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None) -> Workspace:
        chosen = home or env_str("MSOKO_HOME") or DEFAULT_HOME
        return cls(Path(chosen).expanduser().resolve())

    @property
    def database(self) -> Path:
        return self.root / "msoko.sqlite3"

    @property
    def warehouse(self) -> Path:
        """Immutable versioned Parquet datasets and the manifest naming the active versions."""
        return self.root / "warehouse"

    @property
    def archive(self) -> Path:
        """Raw source files as they were imported, by checksum."""
        return self.root / "archive"

    @property
    def results(self) -> Path:
        """Computed indicator values, flags and lists, read by pages and reports."""
        return self.root / "results"

    @property
    def uploads(self) -> Path:
        """Documents uploaded through the web app; outside any web root, served only through scoped views."""
        return self.root / "uploads"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def static(self) -> Path:
        """Where `collectstatic` puts files for a front web server; the app itself serves them too."""
        return self.root / "static"

    def ensure(self) -> Workspace:
        for folder in (self.root, self.warehouse, self.archive, self.results, self.uploads, self.reports, self.static):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    def secret_key(self) -> str:
        """The workspace secret: Django's SECRET_KEY and the key of participant-code pseudonymisation.

        Generated once and kept in the workspace with owner-only permissions; losing it breaks the link
        of pseudonymous codes across imports, so it is never regenerated when present. `MSOKO_SECRET_KEY`,
        when set, is used instead — for Django and pseudonymisation alike, so the two never disagree.
        """
        configured = env_str("MSOKO_SECRET_KEY")
        if configured is not None:
            return configured
        path = self.root / "secret_key"
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        self.root.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # Written whole aside, then linked into place: a concurrent reader never sees a half-written key,
        # and if two processes race, the first link wins and both use that key.
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".secret-")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key + "\n")
            os.chmod(tmp, 0o600)
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return path.read_text(encoding="ascii").strip()
