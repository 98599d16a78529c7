"""The whole stack: chatapi.connect() and the generated functions, against the sandbox and Prism."""
