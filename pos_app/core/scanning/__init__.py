"""Scanning logic: decoders and scanner-input framing (Qt-free)."""
