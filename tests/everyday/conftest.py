from tests.web.personas import world  # noqa: F401  (the fixture, for the view tests here)
