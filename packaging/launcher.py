"""Entry point of the frozen app: the same ``main`` as the installed ``pos-app`` command."""

from pos_app.cli.main import main

raise SystemExit(main())
