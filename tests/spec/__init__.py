"""Checks of the OpenAPI description itself (openapi/chatapi.yaml).

The checkers are plain functions returning lists of `Problem`s, so the same code proves the
real spec clean (test_spec.py) and proves each rule fires on a broken copy (test_rules_fire.py).
"""
