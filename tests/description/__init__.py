"""The description model: loading, references, the operation index, matching, schemas."""
