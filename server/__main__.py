"""``python -m loket``: the same as the ``loket`` command."""

from loket.server.cli import main

main()
