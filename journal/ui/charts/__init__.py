"""Charts drawn with pyqtgraph, on screen and as static images for reports."""
