"""Allow ``python -m pos_app``."""

from pos_app.cli.main import main

raise SystemExit(main())
