"""Messages, calls, agreements and e-mail: the ticket's written record (coming next)."""
