"""The officers' web application: server-rendered pages under `/ui` on the API's own FastAPI app.

It shares the API's database session, services, roles and audit; only the way the caller proves who
they are differs (a session cookie and a CSRF token instead of a bearer token).
"""
