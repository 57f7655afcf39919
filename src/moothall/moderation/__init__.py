"""Moderation across every space residents write in: flags, the queue, hiding and
restoring, warnings, bans, pre- or post-moderation per space, the public log."""
