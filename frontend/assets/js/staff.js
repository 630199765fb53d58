// staff: filled in by the staff pages.
