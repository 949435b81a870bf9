"""Open Badges 3.0 achievement definitions and their alignments."""
