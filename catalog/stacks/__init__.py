"""A project's dependencies: its files read, kept as a stack in the log, judged."""
