"""Page forms, one module per area. They validate input; services do the writing."""
