"""What can be done with surveys: build, answer, count. Views and pages call these."""
