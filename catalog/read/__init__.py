"""Read-side questions over Tables, at the present or any point of the log."""
