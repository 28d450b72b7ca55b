"""Pure domain rules: stdlib only, no Flask, no SQLAlchemy."""
