"""Exports of the current view: the offline HTML report and its plotly.js bundle."""
