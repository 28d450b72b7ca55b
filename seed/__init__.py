"""Seed data: the demo district."""
