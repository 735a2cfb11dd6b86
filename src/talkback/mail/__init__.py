"""Mail: composing multipart messages from templates, and the transports that send them."""
