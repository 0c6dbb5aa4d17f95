"""``python -m flowdoctor`` runs the command line."""

from flowdoctor.cli.main import main

main()
