"""Reader accounts: sign-in by a link sent by mail, one display name across devices."""
