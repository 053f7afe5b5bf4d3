"""What the tests share: Telegram's rules and a fake Bot API server that applies them, the
harness that runs the real bot against it, and helpers that run the real processes."""
