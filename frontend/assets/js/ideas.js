// ideas: filled in by the ideas pages.
