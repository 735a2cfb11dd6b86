"""Staff accounts and the audit log of what staff (and the system) did."""
