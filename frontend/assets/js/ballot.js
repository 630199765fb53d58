// ballot: filled in by the ballot pages.
