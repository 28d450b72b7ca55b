"""The monthly evaluation, as pure rules (stdlib only): see EVAL_SPEC and each module's docstring.

- ``rules``    a rule-set version as immutable data (groups → criteria, bands, caps, quota, task mode);
- ``scoring``  points parsing, totals, grades, the attendance cap, the fail flag: ``assess(...)``;
- ``workflow`` the sheet's transition TABLE, ``transition()`` and ``allowed_actions()``;
- ``quota``    the A-quota: ``quota_status()`` and ``check_quota()``;
- ``periods``  period keys, working days, day windows and extensions;
- ``shipped``  the two rule sets the software ships (seed data, editable afterwards);
- ``access``   who may see a sheet and in which sheet roles they act (ids only; SQL twin in
               ``app.security.sheet_scope``).

Services turn ORM rows into these values (``app.services.evaluation.rules.load_version``) and call
the functions here, so a view, the API and a service always agree on a total or a grade.
"""
