"""Rollout tests share the evaluation fixtures (calendar, api)."""
from tests.evaluation_fixtures import *  # noqa: F401,F403
