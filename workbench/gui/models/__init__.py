"""Read-only Qt item models over the case store; one module per model, no widgets here."""
