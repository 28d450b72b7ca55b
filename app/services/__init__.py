"""Use cases. Each takes a session, calls the domain, and stages its changes (flush at most).

The caller — a view, a command, an API resource — commits through ``app.services.uow.unit_of_work``.
Refusals are ``app.domain.errors.DomainError`` with a Vietnamese message.
"""
