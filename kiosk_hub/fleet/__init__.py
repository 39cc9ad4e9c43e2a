"""Fleet management in the hub: enrolment, signed configuration with staged rollout, heartbeats, remote actions,
and the admin console hospital IT uses for all of it."""
