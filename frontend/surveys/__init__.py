"""Survey pages: residents answer and read results; staff build surveys and read everything."""
