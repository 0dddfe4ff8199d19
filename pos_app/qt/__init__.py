"""Qt views and controllers: a thin layer over :mod:`pos_app.core`."""
