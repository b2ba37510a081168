"""Assessment: the marking bench, decisions, sign-off, the hash-chained decision log, IQA
sampling and standardisation."""
