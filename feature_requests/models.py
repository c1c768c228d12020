"""Feature requests, votes and subscriptions (coming next)."""
