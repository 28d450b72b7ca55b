"""Synthesis (issue 10): the follow-up board, the period summary, roll-ups, exports, feedback on results.

Every read takes an explicit Actor and stays within the units the reach rule shows it
(``security.scope.org_clause``: the district admin everything, a block admin the block's units, a unit's
synthesis person, leader or admin their unit). Aggregates are GROUP BY queries over ``sheet``.
"""
