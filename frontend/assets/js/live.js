// live: filled in by the live pages.
