"""Use cases of the monthly evaluation. Services stage and flush; callers commit (``services.uow``).

- ``rules``       the shipped rule sets (``ensure_rule_sets``), ORM ↔ domain (``load_version``), the
                  version in force for a period and a unit, frozen versions;
- ``periods``     open / close a period (one ``INSERT … SELECT`` creates every sheet), the daily
                  auto-forward, unit extensions, working days and windows;
- ``concurrency`` the optimistic version check of a sheet (Conflict ``stale``);
- ``sheets``      one function per transition of the workflow table (save_self, submit, recall,
                  save_comment, comment, return_sheet, save_final, finalise, reopen, reassign), ``open_sheet``
                  (stamps ``opened_at``) and ``SheetView`` (what a screen or the API shows);
- ``inbox``       read queries for screens and the API: ``my_sheet``, ``my_open_sheets``, ``inbox``,
                  ``history``, ``review_list`` (index-backed, paged);
- ``results``     a unit's grade distribution in a period and its A-quota status.

Actors are ``app.domain.scope.Actor``; period administration needs ``actor.is_admin`` (the district
admin). The sheet-editing services (save, submit, comment, finalise…) build on these and on
``app.domain.evaluation.workflow`` / ``scoring`` / ``quota``.
"""
