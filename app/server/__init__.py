"""The WSGI server: configuration, app factory, authentication, headers and logs."""
