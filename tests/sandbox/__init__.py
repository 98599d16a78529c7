"""Tests of the sandbox server (chatapi_sandbox), with plain httpx against a running sandbox."""
