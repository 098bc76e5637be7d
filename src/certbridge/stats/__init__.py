"""Statistics: valid certificates and certified organizations for any date, by region and dimension, folded from the log."""
