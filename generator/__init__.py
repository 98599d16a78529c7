"""The regeneration pipeline: openapi/chatapi.yaml -> generated_client/chatapi_client.

Run it as ``python -m generator`` (``make generate``); ``python -m generator --check``
(``make check-generated``) regenerates into a temporary folder and reports any difference
from the committed tree.
"""
