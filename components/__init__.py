"""Streamlit render helpers and the one cached data-access module."""
