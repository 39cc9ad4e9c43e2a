"""Is this hub process fit to serve, and if not why: store faults, the migrations, the disk, its sockets."""
