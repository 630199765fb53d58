"""Survey pages residents answer, and the staff page of invitation codes."""
