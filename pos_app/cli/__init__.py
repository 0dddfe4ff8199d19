"""The command line: ``pos-app``."""
