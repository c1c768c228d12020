"""What happened to a ticket, announced to whoever reacts to it.

The ticket services report facts and do not know who listens: the e-mail notices live in
communications, which builds on tickets, so tickets never imports them (communications
connects its receivers in its AppConfig.ready). Receivers run synchronously, inside the
service's transaction: what they record (an e-mail row) commits or rolls back with the
change that caused it. Every signal is sent with `sender=Ticket` and keyword arguments only.
"""

from django.dispatch import Signal

# ticket, clocks (the clocks it started with), now
ticket_opened = Signal()
# ticket (its new assignee set), now
ticket_assigned = Signal()
# ticket, now: it waits on the customer / it was resolved
ticket_waiting = Signal()
ticket_resolved = Signal()
# ticket, message (the customer's, just recorded), now: the customer wrote on a ticket; sent
# by communications.services.message_post, also for the first message of a ticket an e-mail
# opens (in the same transaction as its ticket_opened)
customer_replied = Signal()
# warned, breached (SLAClock lists, each with its ticket loaded), now: clocks now at risk or
# late (by the sweep, or a ticket opened late, upgraded or re-planned into lateness)
clocks_late = Signal()
