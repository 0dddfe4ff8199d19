"""Loopback HTTP servers that stand in for the loyalty services, with fault injection."""
