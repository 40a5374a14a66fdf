"""The ``djp`` command line (click): one module per command group, ``cli.main`` ties them."""
