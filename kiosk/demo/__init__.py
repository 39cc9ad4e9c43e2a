"""The one-command demo (`kiosk demo`, `kiosk outage`): the kiosk on the embedded hub with simulated devices, the
scripted walkthrough through the real screens, and the outage scenario. `kiosk run` never imports this package."""
