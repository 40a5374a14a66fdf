"""PyPI's facts: asked for, recorded as events, digested and judged."""
