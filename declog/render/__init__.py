"""Records, reports, timelines and answers written to the stream they are given. Print nothing themselves."""
