"""Security: the security manager, roles as data, row scopes."""
