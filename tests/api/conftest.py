"""API tests: the shared evaluation helpers (a test unit, an open period, the clock, Bearer sign-in)."""
from tests.evaluation_fixtures import *  # noqa: F401,F403
