"""The whole stack: chatapi.connect() and the generated functions against a running sandbox."""
