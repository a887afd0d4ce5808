"""Shipped cross-department templates (YAML, package data)."""
