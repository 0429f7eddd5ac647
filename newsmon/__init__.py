"""newsmon: a stream-processing monitor for new commitments and sanctions in the news."""

__version__ = "0.1.0"
