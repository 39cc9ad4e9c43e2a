"""Who may do what on the hub: the principals (kiosks, console users by role, integration credentials), their
tables, sign-in with throttling, the patient-lookup allowance and access log, and the dependency each route states."""
