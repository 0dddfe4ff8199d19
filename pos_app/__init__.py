"""pos-app: a cashier desktop app for loyalty cards."""

__version__ = "0.1.0"
