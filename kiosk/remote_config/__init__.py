"""Remote configuration sync: fetch, verify signature, validate, apply between patients, keep last-good."""
