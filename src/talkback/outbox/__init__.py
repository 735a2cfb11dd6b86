"""One outbox for everything Talkback sends: mail to readers and staff, webhook calls.

A row is written in the transaction of the change that causes it (`enqueue`, usually from
an in-transaction consumer of the dispatcher), so a change and its messages are stored
together or not at all. A worker (`worker.py`) delivers rows at least once, each under a
`message_id` that stays the same on every attempt, so a receiver can recognise a repeat
after a crash between "sent" and "marked as sent".
"""
