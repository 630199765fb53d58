// account: filled in by the account pages.
