"""The admin console: server-rendered pages for hospital IT (Vietnamese first, English)."""
