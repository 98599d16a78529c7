"""The maintainer's loop, replayed on temporary copies of the description.

What `make spec`, the guard, `make diff`, the release command and the sandbox make of them.
"""
