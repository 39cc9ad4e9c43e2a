"""The calling half of the queue: rooms call numbers (staff pages, or a HIS over the API), waiting-room screens show
and say them, the patient's phone follows its ticket."""
