"""Scanning logic (Qt-free): the QR decoder, the camera capture loop, keyboard-wedge burst
detection with layout-proof characters, and serial scanner framing."""
