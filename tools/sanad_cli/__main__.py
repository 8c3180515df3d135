"""``python -m sanad_cli`` is the same as the ``sanad`` command."""

from sanad_cli.app import main

main()
