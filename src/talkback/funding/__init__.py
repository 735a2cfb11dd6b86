"""Reader funding: campaigns, gifts, checkout and Stripe events, money, and their API."""
