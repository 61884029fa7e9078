"""Early pytest plugin: a fresh temporary workspace for the whole test session."""

import os
import tempfile

os.environ["MSOKO_HOME"] = tempfile.mkdtemp(prefix="msoko-test-home-")
