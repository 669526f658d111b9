"""Markdown Architecture Decision Records (adr-tools, MADR, log4brains), read without I/O."""
