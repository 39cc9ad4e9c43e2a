"""Queue analytics for the console: tickets per hour, waits per department and lane, cancellations, by day."""
