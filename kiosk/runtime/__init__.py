"""`kiosk run`'s composition root: the one place that builds the installed kiosk (devices, hub, flow, fleet, app) in
dependency order from its settings and runs it. Imports no demo code (`kiosk.demo`)."""
