"""The BHXH (Vietnam Social Security) insurance gateway: wire format, client and a loopback simulator."""
