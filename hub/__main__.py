"""`python -m hub` is the same as the `hearth` command."""

from hub.cli import main

main()
