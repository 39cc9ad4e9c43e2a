"""The hospital's HIS behind the hub: the adapter port and its models, the adapters (the hub's own register, the
generic REST contract, FHIR R4, a vendor's by entry point), the reception and visit dispatcher that keep check-ins
going while the HIS is away, department sync, the BHYT check-in sender and the conformance suite."""
