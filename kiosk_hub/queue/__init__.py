"""Today's queues: departments and their catalogue, numbering and issuing tickets (group commit, batches written as
sets), positions, the calling order and calling the next ticket."""
