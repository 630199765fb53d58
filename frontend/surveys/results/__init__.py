"""A survey's results pages: public and staff (charts with tables, cross-tabulation by
group, free-text answers with moderation)."""
