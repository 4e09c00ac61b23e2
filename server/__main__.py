"""``python -m server``: the same as the ``loket`` command."""

from server.cli import main

main()
