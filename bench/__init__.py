"""The SupportDesk benchmark (``make bench``): seeds volume with ``manage.py seed_scale``, starts
gunicorn on a loopback port and measures the agent's pages under load. See bench/README.md."""
