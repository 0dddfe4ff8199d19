"""The Qt-free core: card model, operations, backends, sandbox, journal, scanning logic.

Nothing under this package may import Qt.
"""
