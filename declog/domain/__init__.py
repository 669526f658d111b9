"""What a record is: the models, kinds, IDs, vocabularies, the clock. No I/O."""
