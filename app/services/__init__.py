"""Use cases. Each takes a session, calls the domain, and stages or commits one unit of work.

Errors a person can fix are raised as ``ServiceError`` with a Vietnamese message.
"""


class ServiceError(ValueError):
    """A refusal a person can act on; ``str()`` is the Vietnamese message."""
