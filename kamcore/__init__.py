"""kamcore."""
