"""Scanner inputs for the window: keyboard-wedge filter, camera preview, serial reader,
feedback, their settings page, and :func:`~pos_app.qt.scanning.integration.install_scanning`
that wires them to the window. Heavy modules (cv2, zxingcpp, QtMultimedia, QtSerialPort) are
imported on first use of the input that needs them, never when this package is imported."""
