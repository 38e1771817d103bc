"""tmtool: translation memory and captions for interview recordings."""

__version__ = "0.1.0"
