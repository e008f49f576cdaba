"""Demo data: a believable perinatal peer-support service for people to look at."""
