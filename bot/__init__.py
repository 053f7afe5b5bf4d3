"""excerpt-bot: find the passage a reader half-remembers in a collection of Markdown articles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("excerpt-bot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
