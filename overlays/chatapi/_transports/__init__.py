"""The overlay transports ``connect()`` stacks around httpx's, outermost first.

- ``typed_errors.ErrorTransport``: every failed outcome becomes a typed error;
- ``retry.RetryTransport``: tries a call again when the retry policy says so;
- ``rate_limit.RateLimitTransport``: takes a slot of the request's budget before each attempt;
- ``base.SplitTransport``: httpx's own transport, sync and async in one object, its sockets
  bound by the call's deadline (``sockets``, ``httpcore_sockets``).

``base`` holds what they share. Nothing is imported here, so that importing one transport
does not import the others.
"""
