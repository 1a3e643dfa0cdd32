"""Data the product needs at run time: the classifier's labelled set."""
