"""Spider classes. Per-source spiders are generated from config (see spiderloader)."""
