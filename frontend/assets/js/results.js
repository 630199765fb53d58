// results: filled in by the results pages.
