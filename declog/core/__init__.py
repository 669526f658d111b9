"""Use cases and operations over records and history: validate, query, search, review, edit, import. Print nothing."""
