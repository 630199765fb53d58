"""The survey API: staff build surveys, residents answer, everyone reads published results."""
