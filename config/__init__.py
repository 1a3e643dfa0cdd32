"""The shipped configuration, package data ``xinqu.shipped_config``; ``xinqu init`` copies it."""
