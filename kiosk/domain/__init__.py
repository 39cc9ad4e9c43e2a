"""The kiosk's domain: Vietnamese identity documents, BHYT insurance, queue and priority rules. Pure: no I/O."""
