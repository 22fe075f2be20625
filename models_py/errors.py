"""Errors the segmentation step raises on input it cannot segment."""


class SegmentationError(ValueError):
    """The input cannot be segmented (too few or identical rows, bad k); the message says why."""
