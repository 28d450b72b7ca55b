"""Uploads kept outside the database: evidence files of tasks (``storage``), their type by content (``sniff``)."""
