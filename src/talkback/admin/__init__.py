"""The staff surface (`/admin/`, `/api/v1/admin/`): every feature's pages and API, one shell."""
