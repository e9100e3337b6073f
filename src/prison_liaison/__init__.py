"""prison-liaison: case management for exit programmes."""
