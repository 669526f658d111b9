"""The log on disk: YAML, files, the parse cache, configuration. No git."""
