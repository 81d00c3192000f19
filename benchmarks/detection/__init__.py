"""Detection accuracy on a hand-labelled corpus (corpus.json), measured by accuracy.py."""
