"""Expected waits: what the queue's calls and the counters' finished visits teach about each department's pace."""
