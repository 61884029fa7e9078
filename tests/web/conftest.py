from tests.web.personas import world  # noqa: F401  (the fixture, for every web test)
