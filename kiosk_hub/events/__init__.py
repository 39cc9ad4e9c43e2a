"""The hub's event feed: an outbox written in the same transaction as each change, published in order, delivered
to HIS and other systems as signed webhooks and served as a pull feed. Other concerns announce a change with
`kiosk_hub.events.outbox.record_event` (see docs/his-integration.md for the event list)."""
