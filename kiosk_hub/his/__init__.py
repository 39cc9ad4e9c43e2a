"""The hospital's HIS behind the hub: an adapter interface, the hub's own patient register
(the adapter while no HIS is connected) and the demo hospital that seeds it."""
