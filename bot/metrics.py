"""Prometheus metrics, one registry per application (tests run several in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from bot import __version__

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Searches take 1-20 ms; the upper buckets catch a slow machine or a runaway query.
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "excerpt_bot_updates", "Updates received, by type", ["type"], registry=r
        )
        self.search_seconds = Histogram(
            "excerpt_bot_search_seconds",
            "Time to search, by where the query came from",
            ["kind"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.search_empty = Counter(
            "excerpt_bot_search_empty", "Searches that found nothing", ["kind"], registry=r
        )
        self.throttled = Counter(
            "excerpt_bot_throttled",
            "Updates dropped by per-user flood control, or searches shed by admission control "
            "(shed_<why>, see bot.admission)",
            ["kind"],
            registry=r,
        )
        self.errors = Counter(
            "excerpt_bot_errors", "Errors while handling updates, by type", ["type"], registry=r
        )
        self.corpus_passages = Gauge(
            "excerpt_bot_corpus_passages", "Passages in the served database", registry=r
        )
        self.corpus_documents = Gauge(
            "excerpt_bot_corpus_documents", "Documents in the served database", registry=r
        )
        self.corpus_built = Gauge(
            "excerpt_bot_corpus_built_timestamp_seconds",
            "When the served database was built (Unix time)",
            registry=r,
        )
        Info("excerpt_bot", "Version of excerpt-bot", registry=r).info({"version": __version__})

    def render(self) -> bytes:
        return generate_latest(self.registry)
