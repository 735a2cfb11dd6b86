"""What an operator watches: Prometheus metrics (`/metrics`) and readiness (`/readyz`).

`metrics` defines every series and the small `record_*` functions other packages call;
`middleware` times requests by route template; `exposition` builds a scrape, aggregated
over the worker processes of `talkback serve --workers N` (`multiprocess`); `access`
decides who may scrape; `readiness` checks what a node needs before it takes traffic.
"""
