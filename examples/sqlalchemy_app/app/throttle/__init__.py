"""Login throttling: failed logins are counted per account and per address.

After LOGIN_MAX_FAILURES failures for one account, or
LOGIN_MAX_FAILURES_PER_ADDRESS from one client address (over any accounts),
within LOGIN_WINDOW_MINUTES of the first, logins for it get 429 with
Retry-After until that window has passed, even with the right password. A
success resets its account's count. The counts live in the database, so they
hold across workers, replicas and restarts.
"""
