"""Use cases of the monthly evaluation. Services stage and flush; callers commit (``services.uow``).

- ``rules``       the shipped rule sets (``ensure_rule_sets``), ORM ↔ domain (``load_version``), the
                  version in force for a period and a unit, frozen versions;
- ``periods``     open / close a period (one ``INSERT … SELECT`` creates every sheet), the daily
                  auto-forward, unit extensions, working days and windows;
- ``concurrency`` the optimistic version check of a sheet (Conflict ``stale``).

Actors are ``app.domain.scope.Actor``; period administration needs ``actor.is_admin`` (the district
admin). The sheet-editing services (save, submit, comment, finalise…) build on these and on
``app.domain.evaluation.workflow`` / ``scoring`` / ``quota``.
"""
