"""``python -m chatapi.cli``: the ``chatapi`` command."""

from . import main

main()
