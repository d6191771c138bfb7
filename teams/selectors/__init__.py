"""Reads of the teams app, already narrowed by ``teams.access``."""
