"""Voting: the ballot in each format, review and confirmation, receipt check."""
