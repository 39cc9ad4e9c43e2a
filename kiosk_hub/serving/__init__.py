"""How `kiosk-hub serve` meets the network: uvicorn with deadlines for a request's head and body, caps on sockets per
client address and overall, and the open-file limit those caps are sized from."""
