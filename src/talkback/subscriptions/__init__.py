""" "Notify of": readers' mail subscriptions to a thread, to replies to their comments or to
one comment, confirmed by double opt-in, and the notification mails they cause."""
