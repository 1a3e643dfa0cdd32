"""xinqu-digest: everything after the crawl (store, process, issue, mail) and the CLI."""
