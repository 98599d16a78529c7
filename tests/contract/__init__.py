"""The sandbox checked against the OpenAPI description by schemathesis."""
