"""REST resources (FAB ``BaseApi``), described in OpenAPI at ``/api/v1/_openapi`` (Swagger UI at ``/swagger/v1``).

- ``sheets``  ``/api/v1/sheet/…``: the monthly sheet — mine, inbox, history, review list, one sheet and
              its transitions (self-assessment, submit, recall, comment, return, finalise);
- ``periods`` ``/api/v1/period/…``: list, open, close (the district admin);
- ``tasks``   ``/api/v1/task/…``: work plans and tasks (issue 9);
- ``base``    Bearer tokens only, one unit of work per call, errors ``{code, message, field}``;
- ``schemas`` the JSON shapes (marshmallow, for OpenAPI), ``serialize`` service results → JSON.
"""
from __future__ import annotations


def register_apis(appbuilder) -> None:
    from app.api.periods import PeriodApi
    from app.api.sheets import SheetApi
    from app.api.tasks import TaskApi

    appbuilder.add_api(PeriodApi)
    appbuilder.add_api(SheetApi)
    appbuilder.add_api(TaskApi)  # issue 9: work plans and tasks
