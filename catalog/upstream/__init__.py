"""The catalogue from Django Packages' API v4 into the log: client, crawl, sync, snapshot."""
