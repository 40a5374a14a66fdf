"""djp projections layer."""
