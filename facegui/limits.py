"""Hard limits that must be known before anything else is imported (``facegui/__init__`` hands them to
OpenCV), kept apart from ``config`` so that importing the package stays cheap."""

MAX_IMAGE_PIXELS_CEILING = 100_000_000
"""The highest ``max_image_pixels`` allowed, and OpenCV's own decoder limit (set in ``facegui/__init__``
before cv2 is imported, which fixes it for the process): 300 MB as BGR, far below any memory limit."""
