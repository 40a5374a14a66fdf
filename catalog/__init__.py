"""djp catalog layer."""
