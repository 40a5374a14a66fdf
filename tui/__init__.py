"""djp tui layer."""
